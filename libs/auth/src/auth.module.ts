import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppToken } from './app-token.entity';
import { ClientIpPolicy } from './client-ip.policy';
import { BearerTokenGuard } from './guards/bearer-token.guard';
import { IpAllowlistGuard } from './guards/ip-allowlist.guard';
import { TokenRepository } from './token.repository';
import { TokensService } from './tokens.service';

/** Tokens and the two guards. The HTTP root installs the guards globally, IP first. */
@Module({
  imports: [TypeOrmModule.forFeature([AppToken])],
  providers: [TokenRepository, TokensService, ClientIpPolicy, IpAllowlistGuard, BearerTokenGuard],
  exports: [TokensService, ClientIpPolicy, IpAllowlistGuard, BearerTokenGuard],
})
export class AuthModule {}
