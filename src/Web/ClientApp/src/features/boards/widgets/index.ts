// The widgets that read today's history of each store rather than the live tiles.
import './widgets.css';
export { AlertsWidget } from './AlertsWidget';
export { CustomMetricWidget } from './CustomMetricWidget';
export { ForecastWidget } from './ForecastWidget';
export { InsightsWidget } from './InsightsWidget';
export { OrderFeedWidget } from './OrderFeedWidget';
export { PeersWidget } from './PeersWidget';
export { OrderMapWidget } from './OrderMapWidget';
export { SavedGoalWidget } from './SavedGoalWidget';
export { TopProductsWidget } from './TopProductsWidget';
export { VisitorsWidget } from './VisitorsWidget';
export { WidgetDataContext, historyDataSource, wallDataSource, type WidgetDataSource } from './widgetData';
