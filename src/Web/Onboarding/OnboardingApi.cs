using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Shopify;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Onboarding;

/// <summary>The figures a person chose to track.</summary>
public sealed record TrackingChoice(IReadOnlyList<string>? Metrics);

/// <summary>The dashboard template a person picked.</summary>
public sealed record TemplateChoice(string? Template);

/// <summary>
/// Onboarding under /api/tenants/{tenantId}/onboarding (the checklist, the choices, the Shopify paths), the Shopify
/// app's OAuth callback, and its app/uninstalled webhook.
/// </summary>
internal static class OnboardingApi
{
    /// <summary>The cookie that ties a started install to the browser that started it (SameSite=Lax: Shopify's redirect back is a top-level GET).</summary>
    public const string NonceCookie = "SalesDash.ShopifyInstall";

    public static RouteGroupBuilder MapOnboardingApi(this RouteGroupBuilder api)
    {
        var onboarding = api.MapGroup("/tenants/{tenantId}/onboarding");
        onboarding.MapGet("/", GetAsync).WithName("GetOnboarding").RequireSignedInUser(OrgRole.Viewer);
        onboarding.MapPut("/tracking", ChooseTrackingAsync).WithName("ChooseTracking").RequireSignedInUser(OrgRole.Admin);
        onboarding.MapPut("/template", PickTemplateAsync).WithName("PickDashboardTemplate").RequireSignedInUser(OrgRole.Admin);
        onboarding.MapGet("/shopify/manual", ManualSetup).WithName("ShopifyManualSetup").RequireSignedInUser(OrgRole.Admin);
        onboarding.MapPost("/shopify/install", BeginInstallAsync).WithName("BeginShopifyInstall").RequireSignedInUser(OrgRole.Admin);
        // No organisation in the route: the state names it, and the handler checks the role there.
        api.MapGet("/shopify/callback", CompleteInstallAsync).WithName("ShopifyInstallCallback").RequireSignedInUser(OrgRole.Viewer);
        return api;
    }

    /// <summary>POST /webhooks/shopify/app-uninstalled, signed with the app's client secret like every webhook of an installed app.</summary>
    public static RouteGroupBuilder MapShopifyAppWebhooks(this RouteGroupBuilder webhooks)
    {
        webhooks.MapPost("/shopify/app-uninstalled", UninstalledAsync).WithName("ShopifyAppUninstalled");
        webhooks.DisableAntiforgery().ShortCircuit();
        return webhooks;
    }

    private static async Task<Ok<OnboardingView>> GetAsync(string tenantId, OnboardingService onboarding, CancellationToken cancellationToken) =>
        TypedResults.Ok(await onboarding.GetAsync(tenantId, cancellationToken));

    private static async Task<Results<Ok<OnboardingView>, ValidationProblem>> ChooseTrackingAsync(
        string tenantId, TrackingChoice choice, OnboardingService onboarding, CancellationToken cancellationToken)
    {
        if (await onboarding.ChooseTrackingAsync(tenantId, choice?.Metrics, cancellationToken) is { } problem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["metrics"] = [problem] }, title: "Nothing to track");
        }

        return TypedResults.Ok(await onboarding.GetAsync(tenantId, cancellationToken));
    }

    private static async Task<Results<Ok<Dashboard>, ProblemHttpResult>> PickTemplateAsync(
        string tenantId, TemplateChoice choice, OnboardingService onboarding, CancellationToken cancellationToken)
    {
        var (dashboard, problem) = await onboarding.PickTemplateAsync(tenantId, choice?.Template, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        return TypedResults.Ok(dashboard!);
    }

    private static Ok<ShopifyManualSetup> ManualSetup(HttpContext http, IOptions<ShopifyAppOptions> options)
    {
        // A secret is shown once to be pasted elsewhere: nothing on the way may keep a copy.
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(OnboardingService.ManualSetup(PublicBase(http.Request, options.Value)));
    }

    private static async Task<Results<Ok<ShopifyInstallStarted>, ProblemHttpResult>> BeginInstallAsync(
        string tenantId, ShopifyInstallRequest request, HttpContext http, ShopifyAppInstaller installer, IOptions<ShopifyAppOptions> options,
        CancellationToken cancellationToken)
    {
        var started = await installer.BeginAsync(tenantId, OrgAccess.UserId(http.User)!, request ?? new(null, null, null, null),
            PublicBase(http.Request, options.Value), cancellationToken);
        if (started.Problem is { } problem)
        {
            return problem;
        }

        http.Response.Cookies.Append(NonceCookie, started.Value!.Nonce, new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = ShopifyAppInstaller.CallbackPath,
            MaxAge = options.Value.InstallLifetime,
        });
        return TypedResults.Ok(started.Value);
    }

    /// <summary>GET /api/shopify/callback: Shopify sends the merchant back here; success continues onboarding, anything else is problem+json.</summary>
    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> CompleteInstallAsync(
        HttpContext http, ShopifyAppInstaller installer, OrgAccess access, IOptions<ShopifyAppOptions> options, CancellationToken cancellationToken)
    {
        var query = http.Request.Query.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? ""))).ToList();
        var result = await installer.CompleteAsync(query, http.Request.Cookies[NonceCookie], OrgAccess.UserId(http.User)!,
            async tenant => await access.RoleInAsync(http.User, tenant, cancellationToken) >= OrgRole.Admin,
            PublicBase(http.Request, options.Value), cancellationToken);
        if (result.Problem is { } problem)
        {
            return problem;
        }

        http.Response.Cookies.Delete(NonceCookie, new CookieOptions { Path = ShopifyAppInstaller.CallbackPath });
        var installed = result.Value!;
        return TypedResults.Redirect($"/onboarding/{Uri.EscapeDataString(installed.TenantId)}?installed={Uri.EscapeDataString(installed.StoreId)}");
    }

    /// <summary>Checked in the door's order: signature first (nothing unverified is acted on), then the shop.</summary>
    private static async Task<Results<Ok, ProblemHttpResult>> UninstalledAsync(
        HttpContext http, ShopifyAppInstaller installer, IOptions<ShopifyAppOptions> options, CancellationToken cancellationToken)
    {
        if (!options.Value.Configured)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No Shopify app", detail: "This SalesDash has no Shopify app.");
        }

        if (await Webhooks.WebhookBody.ReadAsync(http, cancellationToken) is not { } body)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", detail: "The webhook body is too large.");
        }

        if (!ShopifyWebhookSignature.IsValid(body.Span, http.Request.Headers[ShopifyHeaders.HmacSha256].ToString(), options.Value.ClientSecret!))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid signature",
                detail: $"The {ShopifyHeaders.HmacSha256} header does not match the body.");
        }

        if (!ShopifyShopDomain.TryNormalise(http.Request.Headers[ShopifyHeaders.ShopDomain].ToString(), out var shop))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing shop domain", detail: $"The {ShopifyHeaders.ShopDomain} header is required.");
        }

        return await installer.UninstalledAsync(shop, cancellationToken)
            ? TypedResults.Ok()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown shop", detail: $"No store of '{shop}' was installed through the app.");
    }

    /// <summary>The configured public address (always ending in '/', so paths resolve under it), else the request's origin.</summary>
    private static Uri PublicBase(HttpRequest request, ShopifyAppOptions options) =>
        options.PublicUrl is { } url
            ? new Uri(url.AbsoluteUri.EndsWith('/') ? url.AbsoluteUri : url.AbsoluteUri + "/")
            : new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/");
}

/// <summary>Registers onboarding and the Shopify app install.</summary>
public static class OnboardingHosting
{
    public static IServiceCollection AddOnboarding(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ShopifyAppOptions>()
            .Bind(configuration.GetSection(ShopifyAppOptions.Section))
            .Validate(o => string.IsNullOrWhiteSpace(o.ClientId) == string.IsNullOrWhiteSpace(o.ClientSecret),
                "ShopifyApp:ClientId and ShopifyApp:ClientSecret are set together or not at all.")
            .Validate(o => o.PublicUrl is null || (o.PublicUrl.IsAbsoluteUri && o.PublicUrl.Scheme is "https" or "http"),
                "ShopifyApp:PublicUrl is an absolute http(s) address.")
            .Validate(o => o.InstallLifetime > TimeSpan.Zero, "ShopifyApp:InstallLifetime must be positive.")
            .ValidateOnStart();
        services.AddSingleton<ShopifyAppInstaller>();
        services.AddSingleton<OnboardingService>();
        return services;
    }
}
