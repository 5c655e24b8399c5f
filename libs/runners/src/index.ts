// What the rest of the gateway uses of the runners: the abstract classes that are the DI tokens
// (ClaudeRunner, AcpxDriver, ProcessRunner), the module that binds them, and the types, errors and
// helpers around them. The CLI implementations (ClaudeCliRunner, AcpxCliDriver) stay inside;
// ChildProcessRunner, the one spawner, is exported for the tools that drive the CLIs without the
// module (golden recording, specs that watch what is started).
export * from './acpx-driver';
export * from './acpx-output';
export * from './agent-confinement';
export * from './child-env';
export * from './child-process-runner';
export * from './child-registry';
export * from './claude-args';
export * from './claude-input';
export * from './claude-output';
export * from './claude-runner';
export * from './claude-state';
export * from './claude-warm-pool';
export * from './cli-errors';
export * from './cli-not-found.error';
export * from './cli-pins';
export * from './cli-version';
export * from './login-pool';
export * from './message-text';
export * from './process-runner';
export * from './run-workspace';
export * from './runners.module';
export * from './warm-pool';
