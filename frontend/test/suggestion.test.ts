import { afterEach, describe, expect, it } from "vitest";
import { HomeIQApi } from "../src/api.js";
import "../src/suggestion-item.js";
import type { HomeiqSuggestion } from "../src/suggestion-item.js";
import { FakeHass, all, mount, one, settle, suggestion } from "./fakes.js";

function hallHome(): FakeHass {
  const hass = new FakeHass();
  hass.states = {
    "binary_sensor.front_door": {
      entity_id: "binary_sensor.front_door",
      state: "off",
      attributes: { friendly_name: "Front door", device_class: "door" },
    },
    "light.hall": { entity_id: "light.hall", state: "off", attributes: { friendly_name: "Hall light" } },
    "lock.front": { entity_id: "lock.front", state: "unlocked", attributes: { friendly_name: "Front lock" } },
  };
  return hass;
}

function mountSuggestion(hass: FakeHass, overrides = {}): HomeiqSuggestion {
  return mount<HomeiqSuggestion>("homeiq-suggestion", {
    hass,
    api: new HomeIQApi(() => hass),
    suggestion: suggestion(overrides),
    validateDelay: 0,
  });
}

afterEach(() => {
  document.body.innerHTML = "";
});

describe("homeiq-suggestion", () => {
  it("shows what it does by device class, why, the evidence chart and the YAML", async () => {
    const element = mountSuggestion(hallHome());
    await settle(element);

    const text = element.shadowRoot!.textContent!;
    expect(text).toContain("Front door opens");
    expect(text).toContain("after sunset");
    expect(text).toContain("turn on Hall light");
    expect(text).toContain("On 23 of 31 days");
    expect(text).toContain("Score 0.69");
    expect(text).toContain("Safety 100/100");
    const chart = one(element, "svg.evidence-chart");
    expect(chart.getAttribute("data-days")).toBe("3");
    expect(chart.getAttribute("data-days-with-times")).toBe("2");
    expect(all(chart, "circle.hit")).toHaveLength(3);
    expect(one<HTMLTextAreaElement>(element, "textarea.yaml").value).toBe(suggestion().yaml);
  });

  it("re-validates edited YAML through homeiq/validate and approves the edit", async () => {
    const broken = "alias: Hall light\n";
    const edited = "alias: Hall light\nmode: restart\nactions: []\n";
    const hass = hallHome()
      .on("homeiq/validate", (message) => ({
        valid: message.yaml === edited,
        errors: message.yaml === edited ? [] : [{ message: "actions: required" }],
        warnings: [],
        safety: { score: 100, issues: [] },
        requires_confirmation: false,
        yaml: message.yaml,
      }))
      .on("homeiq/suggestion/approve", () => ({ suggestion: suggestion(), deployment: null, message: "Deployed." }));
    const element = mountSuggestion(hass);
    await settle(element);
    const textarea = one<HTMLTextAreaElement>(element, "textarea.yaml");
    const type = async (...texts: string[]) => {
      for (const text of texts) {
        textarea.value = text;
        textarea.dispatchEvent(new Event("input"));
      }
      await settle(element);
    };

    await type("alias: Hall", broken);
    // Debounced: the two keystrokes are validated once, as the text stands at the end.
    expect(hass.callsOf("homeiq/validate")).toEqual([{ type: "homeiq/validate", yaml: broken }]);
    expect(element.shadowRoot!.textContent).toContain("actions: required");
    expect(one<HTMLButtonElement>(element, "button.approve").disabled).toBe(true);

    await type(edited);
    expect(one<HTMLButtonElement>(element, "button.approve").textContent!.trim()).toBe("Approve edited");
    one(element, "button.approve").click();
    await settle(element);
    expect(hass.callsOf("homeiq/suggestion/approve")).toEqual([
      { type: "homeiq/suggestion/approve", suggestion_id: "s1", yaml: edited },
    ]);
  });

  it("asks for confirmation in the panel and approves a lock with confirm: true", async () => {
    const hass = hallHome().on("homeiq/suggestion/approve", () => ({
      suggestion: suggestion({ status: "deployed" }),
      deployment: { automation_id: "homeiq_s2", entity_id: "automation.lock", version: 1, status: "deployed", deployed_at: "" },
      message: "Deployed “Lock the front door at night”.",
    }));
    const element = mountSuggestion(hass, {
      id: "s2",
      title: "Lock the front door at night",
      requires_confirmation: true,
      automation: { triggers: [{ trigger: "time", at: "23:00:00" }], actions: [{ action: "lock.lock", target: { entity_id: "lock.front" } }] },
    });
    const done: string[] = [];
    element.addEventListener("homeiq-suggestion-done", (event) => done.push((event as CustomEvent).detail.message));
    await settle(element);

    one(element, "button.approve").click();
    await settle(element);
    expect(hass.callsOf("homeiq/suggestion/approve")).toHaveLength(0);
    expect(one(element, "[role=alertdialog]").textContent).toContain("Lock the front door at night");

    one(element, "button.confirm").click();
    await settle(element);
    expect(hass.callsOf("homeiq/suggestion/approve")).toEqual([
      { type: "homeiq/suggestion/approve", suggestion_id: "s2", confirm: true },
    ]);
    expect(done).toEqual(["Deployed “Lock the front door at night”."]);
  });

  it("rejects with the reason typed", async () => {
    const hass = hallHome().on("homeiq/suggestion/reject", () => ({ suggestion: suggestion(), message: "Rejected." }));
    const element = mountSuggestion(hass);
    await settle(element);

    one(element, "button.reject-open").click();
    await settle(element);
    one<HTMLInputElement>(element, "input.reason").value = "I go out at night";
    one(element, "button.reject").click();
    await settle(element);

    expect(hass.callsOf("homeiq/suggestion/reject")).toEqual([
      { type: "homeiq/suggestion/reject", suggestion_id: "s1", reason: "I go out at night" },
    ]);
  });

  it("snoozes for a day in this browser", async () => {
    const { snoozedIds } = await import("../src/snooze.js");
    const element = mountSuggestion(hallHome());
    await settle(element);

    one(element, "button.snooze").click();

    expect(snoozedIds().has("s1")).toBe(true);
    expect(snoozedIds(Date.now() + 25 * 3600 * 1000).has("s1")).toBe(false);
  });
});
