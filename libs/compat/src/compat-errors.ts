import { ApiError, InvalidRequestError, NotFoundError } from '@clawdforge/core';

/** A parameter these routes refuse rather than drop, because dropping it would change the answer's contract. */
export class UnsupportedParameterError extends InvalidRequestError {
  constructor(param: string, why: string) {
    super(`${param} is not supported here: ${why}`, param, 'unsupported_parameter');
  }
}

/** A parameter whose value is malformed; `param` names where it sits in the body. */
export function invalidParam(param: string, message: string): ApiError {
  return new InvalidRequestError(`${param} ${message}`, param);
}

/** A model name neither the CLI nor MODEL_ALIASES knows. */
export class ModelNotFoundError extends NotFoundError {
  constructor(model: string) {
    super('model_not_found', `the model "${model.slice(0, 128)}" does not exist here; GET /v1/models lists the models this token may use (MODEL_ALIASES maps other names)`);
  }
}
