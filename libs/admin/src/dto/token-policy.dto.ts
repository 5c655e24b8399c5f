import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsNumber, IsOptional, Max, Min, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { isModelName } from '@clawdforge/core';
import { TokenPolicy } from '@clawdforge/auth';

@ValidatorConstraint({ name: 'modelNames' })
class ModelNames implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Array.isArray(value) && value.every((item) => typeof item === 'string' && isModelName(item));
  }

  defaultMessage(): string {
    return 'models must hold claude CLI aliases (sonnet, opus, haiku, …) or claude-… model ids';
  }
}

/** A token's policy as the admin API takes it: every field optional, and null lifts that limit. */
export class TokenPolicyDto {
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'Models this token may use; others answer 400 model_not_allowed', example: ['haiku', 'sonnet'] })
  @IsOptional()
  @IsArray({ message: 'models must be an array of model names' })
  @ArrayMaxSize(32, { message: 'models may hold at most 32 names' })
  @Validate(ModelNames)
  models?: string[] | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'This token’s share of MAX_CONCURRENT_RUNS; over it a run waits in the queue', example: 2 })
  @IsOptional()
  @IsInt({ message: 'max_concurrent_runs must be a whole number' })
  @Min(1, { message: 'max_concurrent_runs must be at least 1' })
  @Max(256, { message: 'max_concurrent_runs must be at most 256' })
  max_concurrent_runs?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Runs this token may start per minute; past it 429 rate_limited with Retry-After', example: 30 })
  @IsOptional()
  @IsInt({ message: 'runs_per_minute must be a whole number' })
  @Min(1, { message: 'runs_per_minute must be at least 1' })
  @Max(100_000, { message: 'runs_per_minute must be at most 100000' })
  runs_per_minute?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Dollars per UTC day; once spent, 429 budget_exceeded until the day ends', example: 5 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'budget_usd_day must be a number' })
  @Min(0, { message: 'budget_usd_day must be at least 0' })
  budget_usd_day?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Dollars per UTC month; once spent, 429 budget_exceeded until the month ends', example: 100 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'budget_usd_month must be a number' })
  @Min(0, { message: 'budget_usd_month must be at least 0' })
  budget_usd_month?: number | null;
}

/** The fields the body named, as the token's policy names them; a field left out is left out. */
export function policyPatch(body: TokenPolicyDto): Partial<TokenPolicy> {
  const patch: Partial<TokenPolicy> = {};
  if (body.models !== undefined) patch.models = body.models;
  if (body.max_concurrent_runs !== undefined) patch.maxConcurrentRuns = body.max_concurrent_runs;
  if (body.runs_per_minute !== undefined) patch.runsPerMinute = body.runs_per_minute;
  if (body.budget_usd_day !== undefined) patch.budgetUsdDay = body.budget_usd_day;
  if (body.budget_usd_month !== undefined) patch.budgetUsdMonth = body.budget_usd_month;
  return patch;
}
