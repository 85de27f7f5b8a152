"""The product's exceptions. Callers catch `EscalateError`, never bare `Exception`.

EscalateError
├── InputError            bad input the user can fix: missing file, not text, too big, bad JSON
│   └── BriefSchemaError  JSON that is not an EscalationBrief
├── PolicyError           a policy file that cannot be read or does not fit the policy schema
├── PromptError           a prompt file that is malformed or uses undeclared variables
├── BudgetError           a prompt over the token budget: refused before it is sent
├── BackendError          the model server failed (after retries)
│   ├── BackendTimeout
│   ├── BackendUnavailable  could not start or reach the server
│   └── ModelFileError    the embedded model is missing or fails its checksum
└── StoreError            the database refused an action
    ├── PermissionDenied  the user's role does not allow the action (self-approval included)
    ├── ConflictError     someone else changed the record first (optimistic locking)
    └── NotFound
"""


class EscalateError(Exception):
    """Base of every error the product raises on purpose; its message is shown to users."""


class InputError(EscalateError):
    pass


class BriefSchemaError(InputError):
    pass


class PolicyError(EscalateError):
    pass


class PromptError(EscalateError):
    pass


class BudgetError(EscalateError):
    pass


class BackendError(EscalateError):
    pass


class BackendTimeout(BackendError):
    pass


class BackendUnavailable(BackendError):
    pass


class ModelFileError(BackendError):
    pass


class StoreError(EscalateError):
    pass


class PermissionDenied(StoreError):
    pass


class ConflictError(StoreError):
    pass


class NotFound(StoreError):
    pass
