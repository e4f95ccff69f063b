import { afterEach, expect, it } from "vitest";
import "../src/panel.js";
import type { HomeiqPanel } from "../src/panel.js";
import { FakeHass, all, mount, one, settle, suggestion } from "./fakes.js";

afterEach(() => {
  document.body.innerHTML = "";
});

function twoEngines(): FakeHass {
  return new FakeHass()
    .on("homeiq/engines", () => ({
      engines: [
        { entry_id: "e1", title: "Home", version: "0.1.0" },
        { entry_id: "e2", title: "Cabin", version: "0.1.0" },
      ],
    }))
    .on("homeiq/suggestions", (message) => ({
      suggestions: [suggestion({ title: `From ${String(message.entry_id)}` })],
      next_cursor: null,
    }))
    .on("homeiq/automations", () => ({
      automations: [
        { automation_id: "homeiq_s1", entity_id: "automation.hall", version: 2, status: "deployed", deployed_at: "2026-12-01T10:00:00+00:00", alias: "Hall light" },
      ],
    }))
    .on("homeiq/automation/versions", () => ({
      versions: [
        { version: 2, created_at: "2026-12-01T10:00:00+00:00", automation: {}, diff: "-mode: single\n+mode: restart" },
        { version: 1, created_at: "2026-11-30T10:00:00+00:00", automation: {}, diff: "" },
      ],
    }))
    .on("homeiq/automation/rollback", () => ({ automation_id: "homeiq_s1", version: 3, status: "deployed" }));
}

it("opens on the route's tab, names the engine when there are several, and switches views", async () => {
  const hass = twoEngines();
  const panel = mount<HomeiqPanel>("homeiq-panel", { hass, narrow: false, route: { prefix: "/homeiq", path: "" } });
  await settle(panel);

  expect(one(panel, "homeiq-suggestion h2").textContent).toBe("From e1");
  one<HTMLSelectElement>(panel, "select.engine").value = "e2";
  one(panel, "select.engine").dispatchEvent(new Event("change"));
  await settle(panel);
  expect(one(panel, "homeiq-suggestion h2").textContent).toBe("From e2");

  one(panel, 'button.tab[data-tab="automations"]').click();
  await settle(panel);
  expect(one(panel, "a.edit").getAttribute("href")).toBe("/config/automation/edit/homeiq_s1");
  expect(one(panel, "a.trace").getAttribute("href")).toBe("/config/automation/trace/homeiq_s1");
  expect(location.pathname).toBe("/homeiq/automations");
});

it("shows an automation's versions with their diff and rolls back to one", async () => {
  const hass = twoEngines();
  const panel = mount<HomeiqPanel>("homeiq-panel", { hass, route: { prefix: "/homeiq", path: "/automations" } });
  await settle(panel);

  one(panel, "button.versions").click();
  await settle(panel);
  expect(all(panel, ".diff .add").map((line) => line.textContent)).toEqual(["+mode: restart"]);
  expect(all(panel, ".diff .del").map((line) => line.textContent)).toEqual(["-mode: single"]);

  one(panel, 'div.version[data-version="1"] button.rollback-to').click();
  await settle(panel);
  expect(hass.callsOf("homeiq/automation/rollback")).toEqual([
    { type: "homeiq/automation/rollback", automation_id: "homeiq_s1", version: 1, entry_id: "e1" },
  ]);
  // The list is read again after the rollback, so the new version shows.
  expect(hass.callsOf("homeiq/automations")).toHaveLength(2);
});
