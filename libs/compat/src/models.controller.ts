import { Controller, Get, Param, Req, Res, UseFilters } from '@nestjs/common';
import { ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentToken, TokenPrincipal } from '@clawdforge/auth';
import { AppConfig, codeList } from '@clawdforge/core';
import { CompatTokenAuth } from './docs/compat-auth.decorator';
import { ModelListDoc } from './docs/openai-docs';
import { OpenAiErrorDoc } from './docs/error-docs';
import { ModelNotFoundError } from './compat-errors';
import { modelsFor } from './model-catalog';
import { echoRequestId } from './wire-errors';
import { ModelsExceptionFilter } from './wire-exception.filters';

/** When listed models were "created": the server's start, since the CLI does not say. */
const LISTED_AT = new Date();

@ApiTags('openai', 'anthropic')
@CompatTokenAuth(OpenAiErrorDoc)
@UseFilters(ModelsExceptionFilter)
@ApiHeader({ name: 'anthropic-version', required: false, description: 'When present, the answer takes Anthropic’s list shape' })
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({
    summary: 'The models this token may use',
    description: 'Aliases (sonnet, opus, haiku) and ids, narrowed by MODEL_ALLOWLIST and the token’s `models`, plus the MODEL_ALIASES names that map to them.',
  })
  @ApiOkResponse({ type: ModelListDoc, description: 'OpenAI’s list; with `anthropic-version`, `{data, has_more, first_id, last_id}` of Anthropic model objects' })
  list(@CurrentToken() token: TokenPrincipal, @Req() req: Request, @Res() res: Response): void {
    echoRequestId(req, res);
    const ids = modelsFor(token, this.config);
    if (req.headers['anthropic-version'] !== undefined) {
      res.json({ data: ids.map(anthropicModel), has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null });
    } else {
      res.json({ object: 'list', data: ids.map(openAiModel) });
    }
  }

  @Get(':id')
  @ApiOperation({ summary: 'One model this token may use' })
  @ApiNotFoundResponse({ type: OpenAiErrorDoc, description: codeList('model_not_found') })
  one(@CurrentToken() token: TokenPrincipal, @Param('id') id: string, @Req() req: Request, @Res() res: Response): void {
    echoRequestId(req, res);
    if (!modelsFor(token, this.config).includes(id)) throw new ModelNotFoundError(id);
    res.json(req.headers['anthropic-version'] !== undefined ? anthropicModel(id) : openAiModel(id));
  }
}

function openAiModel(id: string) {
  return { id, object: 'model', created: Math.floor(LISTED_AT.getTime() / 1000), owned_by: 'anthropic' };
}

function anthropicModel(id: string) {
  return { type: 'model', id, display_name: id, created_at: LISTED_AT.toISOString() };
}
