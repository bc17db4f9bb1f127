"""The errors every API operation can answer, added to its OpenAPI description.

They are raised by what every operation shares (the JSON parser, the NUL and body-size
middleware, authentication, the 404 and field-error handlers of refuge/api.py), not by
the operation's own code, so they are documented here, from the operation's own shape:
what it takes (a body, path and query parameters), whether it needs a caller, and
whether it creates on the client's UUID. What only some operations answer (a 409 for an
edit made on another device since, a 422 for a wrong check digit) stays declared on the
operation, with the same error schema.
"""

ERRORS_REF = "#/components/schemas/Errors"

WHY = {
    400: "The request cannot be read: the body is not JSON or gives a key twice, a query "
         "value holds a NUL character, or a cursor is not one this API gave",
    401: "No valid bearer token, and no signed-in session",
    403: "The caller's role may not do this (checked before anything sent is read)",
    404: "No record has this identifier",
    409: "The request is valid but conflicts with what is stored: the client's UUID is "
         "already used by a different record or body, the record changed since the version "
         "sent, or its state forbids this now (a proposal already decided, a household that "
         "left, a request already closed)",
    413: "The body is larger than the server accepts",
    415: "The body is not JSON (send Content-Type: application/json)",
    422: "A value sent is wrong: each error names its field and says why",
}


def statuses_of(path: str, method: str, operation: dict, schema: dict) -> set[int]:
    """The 4xx an operation can answer whatever its own code does."""
    params = operation.get("parameters", [])
    has_body = "requestBody" in operation
    answers = {400}
    if operation.get("security"):
        answers |= {401, 403}
    if any(p["in"] == "path" for p in params):
        answers |= {404, 422}
    if params or has_body:
        answers.add(422)
    if has_body:
        answers |= {413, 415}
        if method == "post" and "uuid" in body_properties(operation, schema):
            answers.add(409)  # an idempotent create: the UUID sent before with another body
    return answers


def body_properties(operation: dict, schema: dict) -> dict:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return resolved(body.get("schema", {}), schema).get("properties", {})


def resolved(node: dict, schema: dict) -> dict:
    ref = node.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return node


def document_errors(schema: dict) -> dict:
    """Add to every operation the 4xx it can answer, each with the one error schema."""
    if "Errors" not in schema.get("components", {}).get("schemas", {}):
        raise LookupError("the Errors schema is declared by no operation")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            declared = {int(code) for code in responses}
            for status in sorted(statuses_of(path, method, operation, schema) - declared):
                responses[status] = {
                    "description": WHY[status],
                    "content": {"application/json": {"schema": {"$ref": ERRORS_REF}}},
                }
    return schema
