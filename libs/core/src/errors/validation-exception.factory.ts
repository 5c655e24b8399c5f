import { ValidationError } from 'class-validator';
import { InvalidRequestError } from './http-errors';

function firstProblem(errors: ValidationError[], prefix = ''): { field: string; message: string } | undefined {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const constraint = error.constraints && Object.values(error.constraints)[0];
    if (constraint) return { field, message: constraint.replace(error.property, field) };
    const nested = firstProblem(error.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}

/** ValidationPipe's errors become one 400 that names the first offending field. */
export function validationExceptionFactory(errors: ValidationError[]): InvalidRequestError {
  const problem = firstProblem(errors) ?? { field: 'body', message: 'request body is invalid' };
  return new InvalidRequestError(problem.message, problem.field);
}
