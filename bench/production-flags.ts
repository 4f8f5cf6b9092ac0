/**
 * The Node flags production starts the app with: the Dockerfile's CMD, the App Service's
 * appCommandLine (infra/azure.bicep) and the README's systemd unit carry the same ones
 * (test/docker.test.ts and test/app-package/infra.test.ts check they agree), and the benchmarks
 * launch the app with them so that their RSS is production's. Capping the old space keeps V8
 * from growing the main thread's heap to hold garbage: about 80 MB is live at 100,000 users.
 */
export const PRODUCTION_NODE_FLAGS = '--max-old-space-size=256';
