import { afterEach, describe, expect, it } from "vitest";
import "../src/card.js";
import { CARD_TYPE, HomeiqSuggestionsCard, validateConfig } from "../src/card.js";
import { FakeHass, all, settle, suggestion } from "./fakes.js";

afterEach(() => {
  document.body.innerHTML = "";
});

describe("homeiq-suggestions-card", () => {
  it("is listed in the card picker", () => {
    expect(window.customCards?.filter((card) => card.type === CARD_TYPE)).toEqual([
      expect.objectContaining({ name: "HomeIQ suggestions" }),
    ]);
  });

  it("validates its config", () => {
    expect(validateConfig({ type: "custom:homeiq-suggestions-card" })).toEqual({
      type: "custom:homeiq-suggestions-card",
      count: 3,
    });
    expect(validateConfig({ type: "x", count: 5, title: "Ideas", entry_id: "abc" })).toEqual({
      type: "x",
      count: 5,
      title: "Ideas",
      entry_id: "abc",
    });
    expect(() => validateConfig({ type: "x", count: 0 })).toThrow(/count/);
    expect(() => validateConfig({ type: "x", count: 2.5 })).toThrow(/count/);
    expect(() => validateConfig({ type: "x", count: "3" })).toThrow(/count/);
    expect(() => validateConfig({ type: "x", title: 3 })).toThrow(/title/);
    expect(() => validateConfig(null)).toThrow();
    const card = new HomeiqSuggestionsCard();
    expect(() => card.setConfig({ type: "x", count: 99 })).toThrow(/count/);
  });

  it("has a stub config it accepts and a size that grows with its count", () => {
    const card = new HomeiqSuggestionsCard();
    card.setConfig({ type: `custom:${CARD_TYPE}`, ...HomeiqSuggestionsCard.getStubConfig() });
    const three = card.getCardSize();
    card.setConfig({ type: `custom:${CARD_TYPE}`, count: 5 });
    expect(card.getCardSize()).toBeGreaterThan(three);
  });

  it("shows the top N pending suggestions, best first, with a chart and decisions", async () => {
    const hass = new FakeHass().on("homeiq/suggestions", () => ({
      suggestions: [
        suggestion({ id: "low", title: "Low", score: 0.2 }),
        suggestion({ id: "high", title: "High", score: 0.9 }),
        suggestion({ id: "mid", title: "Mid", score: 0.5 }),
      ],
      next_cursor: null,
      total: 3,
    }));
    const card = document.createElement(CARD_TYPE) as HomeiqSuggestionsCard;
    card.setConfig({ type: `custom:${CARD_TYPE}`, count: 2, entry_id: "e1" });
    Object.assign(card, { hass });
    document.body.append(card);
    await settle(card);

    expect(hass.callsOf("homeiq/suggestions")).toEqual([
      { type: "homeiq/suggestions", status: "pending", limit: 12, entry_id: "e1" },
    ]);
    expect(all(card, "homeiq-suggestion h2").map((title) => title.textContent)).toEqual(["High", "Mid"]);
    expect(all(card, "svg.evidence-chart")).toHaveLength(2);
    expect(all(card, "button.approve")).toHaveLength(2);
    expect(all(card, "textarea.yaml")).toHaveLength(0);
  });
});
