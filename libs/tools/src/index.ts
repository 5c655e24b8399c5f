// What the run path and the wire formats use of the tool bridge: the module, the bridge, the
// catalogue of a request's tools, and the types of a run with client tools. The endpoint (the
// loopback listener) stays inside.
export * from './tool-bridge.service';
export * from './tool-catalog';
export * from './tool-run';
export * from './tools.module';
