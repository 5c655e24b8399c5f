import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional } from 'class-validator';
import { IsCidr } from '@clawdforge/core';
import { TokenPolicyDto } from './token-policy.dto';

/** PATCH /admin/tokens/:name: any policy field, and ip_cidrs; null lifts a limit, a field left out stays. */
export class UpdateTokenDto extends TokenPolicyDto {
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'The token’s own allowlist; null or [] removes it', example: ['172.24.0.0/16'] })
  @IsOptional()
  @IsArray({ message: 'ip_cidrs must be an array of CIDR strings' })
  @ArrayMaxSize(64, { message: 'ip_cidrs may hold at most 64 ranges' })
  @IsCidr({ each: true })
  ip_cidrs?: string[] | null;
}
