import { afterEach, expect, it } from "vitest";
import { HomeIQApi } from "../src/api.js";
import type { Settings } from "../src/types.js";
import "../src/views/settings-view.js";
import type { HomeiqSettingsView } from "../src/views/settings-view.js";
import { FakeHass, mount, one, settle } from "./fakes.js";

afterEach(() => {
  document.body.innerHTML = "";
});

it("shows the engine's settings and sends back only what changed", async () => {
  let stored: Settings = {
    analysis_time: "03:00",
    analysis_days: 30,
    min_score: 0.5,
    exclude: { areas: [], entities: [], labels: [] },
    language: "en",
    llm: { backend: "off" },
  };
  const hass = new FakeHass().on("homeiq/settings", (message) => {
    const changes = message.settings as Partial<Settings> | undefined;
    if (changes) stored = { ...stored, ...changes, exclude: { ...stored.exclude, ...changes.exclude } };
    return stored;
  });
  hass.areas = { garage: { area_id: "garage", name: "Garage" }, kitchen: { area_id: "kitchen", name: "Kitchen" } };
  const element = mount<HomeiqSettingsView>("homeiq-settings-view", { hass, api: new HomeIQApi(() => hass) });
  await settle(element);
  expect(one<HTMLInputElement>(element, 'input[name="analysis_time"]').value).toBe("03:00");

  one<HTMLInputElement>(element, 'input[name="analysis_time"]').value = "04:30";
  one<HTMLInputElement>(element, 'input[name="exclude_area"][value="garage"]').checked = true;
  one<HTMLInputElement>(element, 'input[name="exclude_entities"]').value = "sensor.noisy, light.test";
  one<HTMLFormElement>(element, "form").dispatchEvent(new Event("submit", { cancelable: true }));
  await settle(element);

  expect(hass.callsOf("homeiq/settings")).toEqual([
    { type: "homeiq/settings" },
    {
      type: "homeiq/settings",
      settings: {
        analysis_time: "04:30",
        exclude: { areas: ["garage"], entities: ["sensor.noisy", "light.test"], labels: [] },
      },
    },
  ]);
  expect(element.shadowRoot!.textContent).toContain("Settings saved.");
  expect(one<HTMLInputElement>(element, 'input[name="analysis_time"]').value).toBe("04:30");
  expect(one<HTMLInputElement>(element, 'input[name="exclude_entities"]').value).toBe("sensor.noisy, light.test");
});
