/**
 * Runs before every test file (jest setupFiles): the services' settings a developer may have
 * exported for `make run` (GATEWAY_LEASE_MS, BANK_TIMEOUT_MS, HOST_BNI, LOG_LEVEL ...) are dropped,
 * so a test sees the defaults it was written against and the processes the fault suites start
 * inherit none of them. MONGODB_URI stays: it is how a developer points the tests at a MongoDB.
 */
const SETTING = /^(?:(?:GATEWAY|BANK|BNI|BCA|MANDIRI|SANDBOX|HOST|APP)_[A-Z0-9_]+|PORT|PORTS_JSON|BIND_HOST|DEADLINE_MARGIN_MS|REGISTRY_REFRESH_MS|LOG_LEVEL|MONGODB_DATABASE)$/;

for (const name of Object.keys(process.env)) {
  if (SETTING.test(name)) Reflect.deleteProperty(process.env, name);
}
