import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, NotEquals } from 'class-validator';
import { IsCidr } from '@clawdforge/core';
import { ADMIN_TOKEN_NAME, TOKEN_NAME_PATTERN } from '@clawdforge/auth';
import { TokenPolicyDto } from './token-policy.dto';


export class CreateTokenDto extends TokenPolicyDto {
  @ApiProperty({ description: 'App name: lowercase letters, digits, `_` and `-`, at most 64', example: 'cauldron', pattern: TOKEN_NAME_PATTERN.source })
  @IsString({ message: 'name must be a string' })
  @Matches(TOKEN_NAME_PATTERN, { message: 'name must match ^[a-z0-9][a-z0-9_-]{0,63}$' })
  @NotEquals(ADMIN_TOKEN_NAME, { message: `name "${ADMIN_TOKEN_NAME}" is reserved` })
  name: string;

  @ApiPropertyOptional({
    description: 'Extra allowlist for this token; the caller must match one of these (loopback included) as well as ALLOW_CIDRS',
    example: ['172.24.0.0/16'],
    type: [String],
  })
  @IsOptional()
  @IsArray({ message: 'ip_cidrs must be an array of CIDR strings' })
  @ArrayMaxSize(64, { message: 'ip_cidrs may hold at most 64 ranges' })
  @IsCidr({ each: true })
  ip_cidrs?: string[];
}
