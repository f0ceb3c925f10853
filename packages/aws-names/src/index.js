// AWS naming rules, stated once. Core, the contract, the web app and the CLI
// all read them from here, so the server, the forms and the command line can
// never disagree about what an account id, a role ARN or a session name is.
// Plain JavaScript with JSDoc types and no dependencies: the CLI runs it as
// is under Node, the web bundle carries it to the browser.
export * from './partitions.js';
export * from './account-id.js';
export * from './role-arn.js';
export * from './session-name.js';
export * from './durations.js';
