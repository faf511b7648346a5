"""The unified register: designated subjects, each jurisdiction's designations, their history."""
