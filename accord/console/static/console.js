// Accord console: small enhancements only; every page works without them.
"use strict";

// Guard rails: as the audience or marking changes, ask the node what the choice would do,
// say it in plain words, and disable publishing for a choice the policy refuses.
function watchSharing(fieldset) {
  const form = fieldset.closest("form");
  const audience = fieldset.querySelector("[data-audience]");
  const tlp = fieldset.querySelector("[data-tlp]");
  const guard = fieldset.querySelector("[data-guard]");
  const buttons = form ? form.querySelectorAll("[data-publish]") : [];
  let asked = 0;
  async function update() {
    const query = new URLSearchParams({ audience: audience.value, tlp: tlp.value });
    const mine = ++asked; // answers may arrive out of order: only the latest choice counts
    try {
      const answer = await fetch("/ui/sharing?" + query.toString(), { credentials: "same-origin" });
      if (!answer.ok || mine !== asked) return;
      const body = await answer.json();
      if (mine !== asked) return;
      guard.textContent = body.message;
      guard.classList.toggle("refused", !body.ok);
      buttons.forEach((button) => { button.disabled = !body.ok; });
    } catch (error) {
      // The server checks again on submit; nothing is lost.
    }
  }
  audience.addEventListener("change", update);
  tlp.addEventListener("change", update);
}

// Ingest review: hovering or focusing an item lights its evidence in the text.
function linkEvidence() {
  document.querySelectorAll("[data-item]").forEach((row) => {
    const id = row.dataset.item;
    const marks = document.querySelectorAll(`mark[data-items~="${id}"]`);
    const on = () => marks.forEach((m) => m.classList.add("lit"));
    const off = () => marks.forEach((m) => m.classList.remove("lit"));
    row.addEventListener("mouseenter", on);
    row.addEventListener("mouseleave", off);
    row.addEventListener("focusin", on);
    row.addEventListener("focusout", off);
    const keep = row.querySelector('input[type="checkbox"]');
    if (keep) {
      keep.addEventListener("change", () => {
        row.classList.toggle("removed", !keep.checked);
        marks.forEach((m) => m.classList.toggle("removed", !keep.checked));
      });
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-sharing]").forEach(watchSharing);
  linkEvidence();
});
