export * from './errors.js';
export * from './me.js';
export * from './entitlements.js';
export * from './grants.js';
export * from './admin.js';
export * from './audit.js';
export * from './admin-users.js';
export * from './scim.js';
