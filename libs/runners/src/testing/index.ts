// Fakes of the runners' interfaces for specs of the libraries above them: `@clawdforge/runners/testing`.
// They stand where the CLIs and the spawner stand, speak the interfaces' types (not the CLIs' wire
// formats: that is the fake CLIs' job in test/fixtures), and start nothing. Never imported by the
// server or the CLI (nest build leaves this directory out).
export * from './fake-acpx-driver';
export * from './fake-claude-runner';
export * from './fake-process-runner';
export * from './held-calls';
