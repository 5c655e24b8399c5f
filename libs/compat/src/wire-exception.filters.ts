import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request } from 'express';
import { sendWireError } from './wire-errors';

/** Errors of the OpenAI-compatible routes in OpenAI's shape: `{"error":{"message","type","param","code"}}`. */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    sendWireError(exception, host, 'openai');
  }
}

/** Errors of the Anthropic-compatible routes in Anthropic's shape: `{"type":"error","error":{"type","message"}}`. */
@Catch()
export class AnthropicExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    sendWireError(exception, host, 'anthropic');
  }
}

/** GET /v1/models serves both clients: Anthropic's shape when the request carries `anthropic-version`, else OpenAI's. */
@Catch()
export class ModelsExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const anthropic = host.switchToHttp().getRequest<Request>().headers['anthropic-version'] !== undefined;
    sendWireError(exception, host, anthropic ? 'anthropic' : 'openai');
  }
}
