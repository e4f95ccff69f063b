// The browser half of tests/e2e/test_panel_browser.py: headless Debian chromium driven by
// playwright-core (no browser download) through the real Home Assistant frontend.
// Usage: node e2e/panel.mjs '<json config>'. Reports each step as a JSON line on stdout and,
// where the test changes something behind the browser's back, waits for a `continue` line.
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const config = JSON.parse(process.argv[2]);
const STEP_TIMEOUT_MS = 20_000;
const input = createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();

function report(step, details = {}) {
  process.stdout.write(`${JSON.stringify({ step, ...details })}\n`);
}

async function resumed() {
  const { value, done } = await lines.next();
  if (done || value.trim() !== "continue") throw new Error(`expected 'continue', got ${value}`);
}

const browser = await chromium.launch({ executablePath: config.chromium, headless: true });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.setDefaultTimeout(STEP_TIMEOUT_MS);
const shot = (name) => page.screenshot({ path: `${config.artifacts}/${name}.png`, fullPage: true });

try {
  // Home Assistant's own login page, as a person fills it in.
  await page.goto(config.base_url);
  await page.locator('input[name="username"]').fill(config.username);
  await page.locator('input[name="password"]').fill(config.password);
  await shot("01-login");
  await page.locator('input[name="password"]').press("Enter");

  // The panel from the sidebar (registered by the integration, admin only).
  await page.locator('ha-sidebar a[href="/homeiq"]').click();
  const panel = page.locator("homeiq-panel");
  const engines = panel.locator("select.engine");
  if (await engines.count()) await engines.selectOption(config.entry_id);
  const card = panel.locator(`homeiq-suggestion article[data-id="${config.suggestion_id}"]`);
  const chart = card.locator("svg.evidence-chart");
  await chart.waitFor();
  await shot("02-suggestion");
  report("suggestion", {
    chart_days: Number(await chart.getAttribute("data-days")),
    chart_dots: await chart.locator("circle.hit").count(),
    yaml: await card.locator("textarea.yaml").inputValue(),
    confirmation: await card.locator(".needs-confirmation").innerText(),
  });

  // Approve: the lock needs the in-panel confirmation first.
  await card.locator("button.approve").click();
  const dialog = panel.locator('homeiq-suggestion [role="alertdialog"]');
  await dialog.waitFor();
  await shot("03-confirmation");
  await dialog.locator("button.confirm").click();
  const message = panel.locator("homeiq-suggestions-view p.message");
  await message.waitFor();
  await shot("04-approved");
  report("approved", { message: await message.innerText() });

  // Home Assistant's automation editor opens it, from the Automations view's link.
  await panel.locator('button.tab[data-tab="automations"]').click();
  const automation = panel.locator(`div.automation[data-id="${config.automation_id}"]`);
  await automation.locator("a.edit").click();
  await page.waitForURL(`**/config/automation/edit/${config.automation_id}`);
  const alias = page.locator("ha-automation-editor").getByText(config.alias, { exact: true }).first();
  await alias.waitFor();
  await shot("05-editor");
  report("editor", { alias: (await alias.innerText()).trim() });

  // Back in the panel after the test made a second version: roll it back.
  await resumed();
  await page.goBack();
  await panel.locator('button.tab[data-tab="automations"]').click();
  await panel.locator("button.refresh").click();
  const version = automation.locator(".version-number");
  await version.getByText("Version 2").waitFor();
  const before = await version.innerText();
  await automation.locator("button.versions").click();
  await automation.locator("div.version").first().waitFor();
  await shot("06-versions");
  await automation.locator("button.rollback").click();
  await version.filter({ hasNotText: before }).waitFor();
  await shot("07-rolled-back");
  report("rolled_back", { versions: [before, await version.innerText()] });
} catch (error) {
  await shot("failure").catch(() => undefined);
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser.close();
  // An open stdin would keep Node running after the last step.
  input.close();
  process.stdin.destroy();
}
