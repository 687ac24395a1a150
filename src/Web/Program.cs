using Akka.Hosting;
using Microsoft.AspNetCore.SignalR;
using SalesDash.Engine;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Insights.MultiChannel;
using SalesDash.Web;
using SalesDash.Web.Alerts;
using SalesDash.Web.AppData;
using SalesDash.Web.Audit;
using SalesDash.Web.Benchmarks;
using SalesDash.Web.Channels;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Demo;
using SalesDash.Web.ExchangeRates;
using SalesDash.Web.Exports;
using SalesDash.Web.Forecasts;
using SalesDash.Web.Goals;
using SalesDash.Web.Visitors;
using SalesDash.Web.Customers;
using SalesDash.Web.History;
using SalesDash.Web.Hubs;
using SalesDash.Web.Identity;
using SalesDash.Web.Imports;
using SalesDash.Web.Insights;
using SalesDash.Web.Mail;
using SalesDash.Web.Metrics;
using SalesDash.Web.Onboarding;
using SalesDash.Web.OpenApi;
using SalesDash.Web.OrganisationOverview;
using SalesDash.Web.Outbound;
using SalesDash.Web.Plans;
using SalesDash.Web.Push;
using SalesDash.Web.Quarantine;
using SalesDash.Web.Recommendations;
using SalesDash.Web.Reports;
using SalesDash.Web.Stores;
using SalesDash.Web.Webhooks;
using SalesDash.Web.Warehouse;

var builder = WebApplication.CreateBuilder(args);

// Engine: options, stores, snapshots, ingestion and the actor system (sharded tenant entities + the tile relay).
builder.Services.AddSalesDashEngine(builder.Configuration);
builder.Services.AddAkka("salesdash", (akka, services) => akka
    .AddSalesDashEngine(services)
    .AddTileRelay()
    .AddLiveAccess()
    .AddStoreDirectoryInvalidation()
    .AddAlertEvaluation());

// Stores (in the app database, shared by every node) declared in configuration, then the demo tenant and its replay.
builder.Services.AddStoreDirectory();
// Webhooks find their store in a short-lived cache, not the database, on every delivery.
builder.Services.AddStoreDirectoryCache(builder.Configuration);
builder.Services.AddHostedService<StoreSeeder>();
// Store webhook secrets encrypted at rest with the shared key ring, and their rotation with a grace period.
builder.Services.AddWebhookSecrets(builder.Configuration);
builder.Services.AddStoreLifecycle();
builder.Services.AddOrganisationOverview();
builder.Services.AddDemo(builder.Configuration);
builder.Services.AddDashboards();
builder.Services.AddSalesDashImports();

// Outbound HTTP (alert webhooks, pollers, PayPal certificates): public addresses only, no redirects, capped bodies.
builder.Services.AddOutboundHttp(builder.Configuration);

// Channels: connection settings (encrypted credentials), rates table, pollers on a schedule, channel webhooks.
builder.Services.AddChannels(builder.Configuration);
// Exchange rates refreshed from the configured provider (ECB reference rates) by one node, as a cluster job.
builder.Services.AddExchangeRateRefresh(builder.Configuration);

// Store-scoped requests: the store resolved once per request; history reads shared by the history endpoints and exports.
builder.Services.AddStoreScope();
builder.Services.AddHistoryReads();

// Multi-channel insight read from the history store: channel ranking, ROAS, MER, attribution, traffic; shipments.
builder.Services.AddMultiChannelInsights();

// One mail relay (MailKit) for alerts, invitations, reports and plan notices.
builder.Services.AddMail(builder.Configuration);

// Alerts (rules and alerts in the app database, evaluated per store on closed minutes; e-mail, webhook and in-app delivery),
// then revenue forecasts and plain-language insights from history.
builder.Services.AddAlerts(builder.Configuration);
// Web push for alerts: the cluster's VAPID key pair (configured, or generated once into the app database) and subscriptions.
builder.Services.AddPush(builder.Configuration);
builder.Services.AddForecasts();
builder.Services.AddStoreInsights();
// Goals: revenue/orders targets per day, week, month or a sale, with pace from history (src/Web/Goals).
builder.Services.AddGoals();
// Live visitors, sources and conversion from GA4's realtime figures, read once a minute per property (src/Web/Visitors).
builder.Services.AddVisitors(builder.Configuration);

// Plans (what each organisation's tier allows) and branding (white-label where the plan allows it).
builder.Services.AddPlans(builder.Configuration);
// Data warehouse connection (Enterprise): orders, lines, refunds and daily KPIs copied to the merchant's PostgreSQL or ClickHouse by a cluster job.
builder.Services.AddWarehouse(builder.Configuration);

// Audit log of every change attempted through /api (append-only table in the app database), and the organisations' custom metrics.
builder.Services.AddAudit();
builder.Services.AddCustomMetrics();
// Reports: definitions and sends in the app database, scheduled by a cluster job, printed by headless Chromium, mailed with MailKit.
builder.Services.AddReports(builder.Configuration);
// Quarantine: events a store could not count, for Admins to retry after a fix or discard.
builder.Services.AddQuarantine();
// Onboarding: the checklist a new organisation follows, and the Shopify app install (OAuth, webhook subscriptions).
builder.Services.AddOnboarding(builder.Configuration);
// Peer benchmarks: industry and consent per organisation, cohort quartiles (five organisations or more) recomputed by a cluster job.
builder.Services.AddPeerBenchmarks(builder.Configuration);
// The public benchmark report: an uploaded orders export against the peers, no account, rate limited per address, nothing kept.
builder.Services.AddBenchmarkReport(builder.Configuration);
// Recommendations per store (what to do, ranked by revenue at stake) and the merchant's done/dismissed verdicts.
builder.Services.AddRecommendations();

// HTTP: problem+json for every error, SignalR for live tiles.
builder.Services.AddSalesDashProblems();
builder.Services.AddSignalR();
// Tile updates are serialised once and written to each screen on its own (a stalled TV holds back only itself).
builder.Services.AddSingleton<DashboardLifetimeManager>();
builder.Services.AddSingleton<HubLifetimeManager<DashboardHub>>(sp => sp.GetRequiredService<DashboardLifetimeManager>());
// Each screen's pace: every update while the node has few screens, a share of Hubs:ScreenPushesPerSecond when it has many.
builder.Services.AddScreenPacing(builder.Configuration);
// Live connections by what their access rests on, so revoking a member, key or share link ends them on every node.
builder.Services.AddLiveAccess();
builder.Services.AddHealthChecks();

// Backpressure: a bounded number of webhooks in flight per node; the rest get 503 + Retry-After and are retried.
builder.Services.AddWebhookConcurrencyLimit(builder.Configuration);

// Identity and the one app database (SQLite or PostgreSQL, migrated at start): users, organisations, memberships, invitations and API keys, the sign-in cookie,
// API-key authentication with a per-key rate limit, and the shared Data Protection key ring. After the webhook
// limit, whose rejection answer the per-key limiter keeps for non-key requests.
builder.Services.AddSalesDashIdentity(builder.Configuration);
builder.Services.AddSingleton<InvitationMailer>();
builder.Services.AddSalesDashOpenApi();

var app = builder.Build();

// Outermost, so refusals and failures below it are recorded with their status.
app.UseAudit();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseRouting();
app.UseSalesDashIdentity();
app.UseRateLimiter();

// Webhooks are signed by the platform, not signed in: anonymous, signature-verified.
app.MapGroup("/webhooks").AllowAnonymous().RequireWebhookConcurrencyLimit().MapWebhooks();
app.MapGroup("/webhooks").AllowAnonymous().MapStripeBillingWebhook();
app.MapGroup("/webhooks").AllowAnonymous().MapShopifyAppWebhooks();
app.MapGroup("/api").MapAuthApi().MapOrganisationsApi().MapApiKeysApi().MapStoreCreation().MapStoreManagement();
app.MapGroup("/api/channels").MapChannelCatalog();
app.MapGroup("/api/stores").MapStoresApi();
// One store-scoped group (/api/tenants/{t}/stores/{s}): role checked, store resolved once; old addresses answer 308.
app.MapStoreScope()
    .MapLiveTilesApi(app)
    .MapStoreHistoryApi()
    .MapOrderFeedApi(app)
    .MapForecastsApi(app)
    .MapVisitorsApi(app)
    .MapStoreInsightsApi(app)
    .MapQuarantineApi()
    .MapTradingHoursApi()
    .MapWebhookSecretRotation()
    .MapStoreConnection()
    .MapRecommendationsApi()
    .MapChannelsApi(app)
    .MapImportsApi(app)
    .MapCustomersApi();
app.MapTenantHistoryApi();
app.MapGroup("/api").MapDashboardsApi();
app.MapGroup("/api").MapHistoryDeadLettersApi();
app.MapChannelInsightsApi();
app.MapImportProgressApi();
app.MapGroup("/api").MapAlertsApi();
app.MapGroup("/api").MapGoalsApi();
app.MapGroup("/api").MapPlansApi().MapBrandingApi().MapAuditApi().MapMetricsApi();
app.MapGroup("/api").MapExportsApi();
app.MapGroup("/api").MapReportsApi();
app.MapGroup("/api").MapOnboardingApi();
app.MapGroup("/api").MapExchangeRatesApi();
app.MapGroup("/api").MapWarehouseApi();
app.MapGroup("/api").MapBenchmarksApi().MapWallBenchmarksApi().MapBenchmarkReportApi();
app.MapGroup("/api").MapOrganisationOverviewApi();
app.MapGroup("/api").MapPushApi();
// The hub lets anyone connect (wallboards use share tokens); each method checks the caller's organisation.
app.MapHub<DashboardHub>("/hubs/dashboard").AllowAnonymous();
app.MapHealthChecks("/healthz").AllowAnonymous();
app.MapSalesDashOpenApi();
app.MapFallback(SpaFallback.ServeIndexAsync).AllowAnonymous();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory.</summary>
public partial class Program;
