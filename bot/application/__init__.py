"""The application layer: what the assistant decides (commands, dialogs, Q&A,
scheduler policy, digests, admin services). It returns typed messages and never sends;
channels deliver them. Imports the domain, storage and nlu, never a channel."""
