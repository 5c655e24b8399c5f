import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppTokenAuth, CurrentToken, TokenPrincipal } from '@clawdforge/auth';
import { Clock } from '@clawdforge/core';
import { OwnUsageResponse, TokenLimitsView } from './dto/usage.view';
import { UsageRepository } from './usage.repository';
import { periodsOf } from './usage-periods';

@ApiTags('usage')
@AppTokenAuth()
@Controller('usage')
export class UsageController {
  constructor(
    private readonly ledger: UsageRepository,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'This token’s usage today and this month, its limits, and the budget left', description: 'Days and months are UTC. Spend follows the token’s name across rotations.' })
  @ApiOkResponse({ type: OwnUsageResponse })
  async own(@CurrentToken() token: TokenPrincipal): Promise<OwnUsageResponse> {
    const now = this.clock.now();
    const periods = periodsOf(now);
    const today = await this.ledger.totals(token.name, periods.dayStart, periods.dayEnd);
    const month = await this.ledger.totals(token.name, periods.monthStart, periods.monthEnd);
    const left = (budget: number | null, spent: number) => (budget === null ? null : Math.max(0, budget - spent));
    return {
      ok: true,
      token: token.name,
      today,
      month,
      limits: TokenLimitsView.of(token.policy),
      budget_left_day: left(token.policy.budgetUsdDay, today.cost_usd),
      budget_left_month: left(token.policy.budgetUsdMonth, month.cost_usd),
    };
  }
}
