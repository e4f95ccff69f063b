/** HomeIQ's front-end module: the sidebar panel and the dashboard card. */
import "./panel.js";
import "./card.js";
