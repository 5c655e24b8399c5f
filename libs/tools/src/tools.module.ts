import { Module } from '@nestjs/common';
import { McpEndpoint } from './mcp-endpoint';
import { ParkDirectory } from './park-directory';
import { ToolBridge } from './tool-bridge.service';

/** The tool bridge: the loopback MCP endpoint the CLI reaches the client's tools through, and the runs parked on it. */
@Module({
  providers: [McpEndpoint, ParkDirectory, ToolBridge],
  exports: [ToolBridge],
})
export class ToolsModule {}
