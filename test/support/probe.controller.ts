import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CurrentToken, TokenPrincipal } from '@clawdforge/auth';

/**
 * Test-only routes mounted beside the real ones: an app-token route with no decorators (so it
 * proves routes are protected by default), a slow one for shutdown, and one that fails badly.
 */
@Controller('test-probe')
export class ProbeController {
  @Get()
  whoami(@CurrentToken() token: TokenPrincipal) {
    return { ok: true, token: token.name };
  }

  @Post('slow')
  @HttpCode(200)
  async slow(@Query('ms') ms = '500') {
    await new Promise((resolve) => setTimeout(resolve, Number(ms)).unref());
    return { ok: true, slept_ms: Number(ms) };
  }

  @Get('crash')
  crash(): never {
    throw new Error('database password is hunter2 at /srv/secret/path');
  }
}
