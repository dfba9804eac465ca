"""Domain errors of the data plane beyond the platform's (mapped by the API handler)."""

from portal.errors import DomainError


class PayloadTooLarge(DomainError):
    """An upload or a requested file is larger than allowed (HTTP 413)."""

    status = 413
    code = "too_large"


class NoData(DomainError):
    """The resource has no current data version yet (HTTP 404)."""

    status = 404
    code = "no_data"
