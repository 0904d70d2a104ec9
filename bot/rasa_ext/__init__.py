"""Everything that bends Rasa, in one place: the fixes to Rasa's private code
(patches.py, installed only on the Rasa version they were checked on), the
process entry point that installs them (runtime.py), and the classes that Rasa
lets a project configure in endpoints.prod.yml (lock_store.py,
tracker_store.py)."""

# The slot whose value True makes the project's tracker stores delete the
# sender's conversation instead of saving it ("forget me"). Kept here, free of
# Rasa imports, because the action that sets it runs in the action server.
FORGET_SLOT = "forget_conversation"
