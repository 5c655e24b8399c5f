import { Controller, Get, Headers, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AppConfig, codeList, ErrorBodyDto, UnauthorizedError } from '@clawdforge/core';
import { Public, secretsEqual } from '@clawdforge/auth';
import { Metrics } from './metrics';

const BEARER = /^Bearer +([\x21-\x7e]{1,512})$/;

// @Public keeps app tokens and the audit trail out of it: a scraper is not an app, and a row per
// scrape would bury the requests that matter.
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Prometheus text format. Our own metrics start `clawdforge_` and are labelled by token name (never its value); ' +
      "prom-client's default process metrics keep their standard names. Open to the IP allowlist; when METRICS_TOKEN is set, " +
      'send it as `Authorization: Bearer <METRICS_TOKEN>`.',
  })
  @ApiOkResponse({
    description: 'Prometheus text exposition format 0.0.4',
    content: { 'text/plain': { schema: { type: 'string', example: 'clawdforge_run_queue_depth 0\n' } } },
  })
  @ApiUnauthorizedResponse({ type: ErrorBodyDto, description: `METRICS_TOKEN is set: ${codeList('missing_token')}, or ${codeList('invalid_token')} when it does not match` })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: `${codeList('ip_not_allowed')}: the client IP is outside ALLOW_CIDRS` })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) res: Response): Promise<string> {
    this.authorize(authorization);
    const text = await this.metrics.scrape();
    res.type(this.metrics.contentType);
    return text;
  }

  private authorize(authorization: string | undefined): void {
    const expected = this.config.server.metricsToken;
    if (expected === null) return;
    if (!authorization) throw new UnauthorizedError('missing_token', 'send METRICS_TOKEN as "Authorization: Bearer <token>"');
    const presented = BEARER.exec(authorization.trim())?.[1];
    if (presented === undefined || !secretsEqual(presented, expected)) throw new UnauthorizedError('invalid_token', 'the metrics token is wrong');
  }
}
