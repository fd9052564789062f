import { defineConfig, devices } from '@playwright/test';

// Browser tests run against the whole local stack (DynamoDB Local, moto, the local gateway
// serving web/dist and the API on one origin), started by ../scripts/stack.sh.
// Run `npm run build` first. Debian's Chromium is used because browser
// downloads are not possible here.
const port = process.env['E2E_PORT'] || '3100';
const motoPort = process.env['E2E_MOTO_PORT'] || '4610';
const dynamodbPort = process.env['E2E_DYNAMODB_PORT'] || '8110';
const stripePort = process.env['E2E_STRIPE_PORT'] || '12150';
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './e2e',
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env['CI'],
  reporter: process.env['CI'] ? 'list' : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--headless',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    command: '../scripts/stack.sh',
    env: {
      PORT: port,
      MOTO_PORT: motoPort,
      DYNAMODB_PORT: dynamodbPort,
      STRIPE_PORT: stripePort,
      // Orders lapse after 25 s instead of 15 minutes, so the expiry flow can be watched end to end;
      // 25 s leaves a paying test room for the card form's wait and three charges on a busy machine.
      PARAMETER_OVERRIDES: 'CookieSecure=false OrderTtlSeconds=25',
    },
    url: `${baseURL}/api/users/currentuser`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
