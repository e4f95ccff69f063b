import { afterEach, expect, it, vi } from "vitest";
import { HomeIQApi } from "../src/api.js";
import type { AnalysisRun, Pattern } from "../src/types.js";
import "../src/views/habits-view.js";
import type { HomeiqHabitsView } from "../src/views/habits-view.js";
import { FakeHass, all, mount, one, settle } from "./fakes.js";

afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = "";
});

function pattern(id: string, entity: string): Pattern {
  return {
    id,
    type: "time_of_day",
    entities: [entity],
    description: `${entity} at 07:30`,
    confidence: 0.8,
    support_days: 20,
    observed_days: 21,
    score: 0.7,
    details: {},
    evidence: { days: [{ date: "2026-12-01", times: ["07:31:00"] }] },
  };
}

it("filters habits by area, charts their evidence, and follows a run started with Run now", async () => {
  const runs: AnalysisRun[] = [];
  const hass = new FakeHass()
    .on("homeiq/patterns", () => ({
      patterns: [pattern("p1", "light.kitchen"), pattern("p2", "light.porch")],
      next_cursor: null,
    }))
    .on("homeiq/analysis/status", () => ({ runs: [...runs] }))
    .on("homeiq/analysis/run", () => {
      runs.unshift({ run_id: "r1", status: "running", progress: 0.4, started_at: null, finished_at: null });
      return { run_id: "r1", status: "queued" };
    });
  // The porch light's area comes from its device, as in Home Assistant.
  hass.entities = { "light.kitchen": { entity_id: "light.kitchen", area_id: "kitchen" }, "light.porch": { entity_id: "light.porch", device_id: "d1" } };
  hass.devices = { d1: { id: "d1", area_id: "garden" } };
  hass.areas = { kitchen: { area_id: "kitchen", name: "Kitchen" }, garden: { area_id: "garden", name: "Garden" } };
  const element = mount<HomeiqHabitsView>("homeiq-habits-view", { hass, api: new HomeIQApi(() => hass) });
  await settle(element);
  expect(all(element, "svg.evidence-chart")).toHaveLength(2);
  expect(one(element, ".analysis-status").textContent).toBe("No analysis has run yet.");

  const area = one<HTMLSelectElement>(element, "select.area");
  area.value = "garden";
  area.dispatchEvent(new Event("change"));
  await settle(element);
  expect(all(element, "div.pattern").map((item) => item.getAttribute("data-id"))).toEqual(["p2"]);

  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  one(element, "button.run").click();
  await vi.advanceTimersByTimeAsync(0);
  await element.updateComplete;
  expect(one(element, ".analysis-status").textContent).toBe("Running: 40%");
  expect(one<HTMLButtonElement>(element, "button.run").disabled).toBe(true);

  runs[0] = { ...runs[0], status: "succeeded", progress: 1, finished_at: "2026-12-06T03:00:00+00:00" };
  await vi.advanceTimersByTimeAsync(2000);
  await element.updateComplete;
  expect(one(element, ".analysis-status").textContent).toContain("succeeded");
  // The finished run's patterns are read again.
  expect(hass.callsOf("homeiq/patterns")).toHaveLength(2);
});

it("filters habits by type with the command's pattern_type field", async () => {
  const hass = new FakeHass()
    .on("homeiq/patterns", () => ({ patterns: [pattern("p1", "light.kitchen")], next_cursor: null }))
    .on("homeiq/analysis/status", () => ({ runs: [] }));
  const element = mount<HomeiqHabitsView>("homeiq-habits-view", { hass, api: new HomeIQApi(() => hass) });
  await settle(element);
  const type = one<HTMLSelectElement>(element, "select.type");
  type.value = "routine";
  type.dispatchEvent(new Event("change"));
  await settle(element);
  const last = hass.callsOf("homeiq/patterns").at(-1);
  expect(last).toMatchObject({ type: "homeiq/patterns", pattern_type: "routine" });
});
