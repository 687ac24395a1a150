using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Shopify;

namespace SalesDash.Web.Webhooks;

/// <summary>How much webhook work one web node takes on, and from whom, bound from the "Webhooks" configuration section.</summary>
public sealed class WebhookLimitOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Webhooks of one store being handled at once. Each store has its own slots, so one tenant's flood fills its own
    /// and never another's.
    /// </summary>
    public int MaxConcurrent { get; set; } = 16;

    /// <summary>Webhooks of one store waiting for a slot, oldest first (bodies already read). Beyond this they get 503.</summary>
    public int QueueLimit { get; set; } = 64;

    /// <summary>
    /// Webhooks from one source address being handled at once, across its stores: bounds what one sender (or one
    /// attacker spreading over made-up stores) takes of the node. Platforms send from a few addresses, so it is generous.
    /// </summary>
    public int MaxConcurrentPerSource { get; set; } = 128;

    /// <summary>Webhooks from one source address waiting for a slot.</summary>
    public int QueueLimitPerSource { get; set; } = 512;

    /// <summary>The Retry-After sent with a 503: platforms that honour it come back after this long, the rest retry on their own schedule.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The whole body must arrive within this long: a sender that trickles bytes is answered 408 and holds nothing
    /// meanwhile (the slot is taken only after the body is in). Platforms send a few kilobytes at once.
    /// </summary>
    public TimeSpan BodyReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Kestrel's floor on the body's data rate (bytes per second, after a 5 s grace); slower connections are dropped.</summary>
    public double MinBodyBytesPerSecond { get; set; } = 1024;

    /// <summary>Shopify order payloads are tens of kilobytes; 2 MiB leaves room for huge orders and stops abuse.</summary>
    public int MaxBodyBytes { get; set; } = 2 * 1024 * 1024;
}

/// <summary>
/// Admission for webhooks, in this order: read the whole body under a deadline and a minimum data rate, then take a
/// slot of the store's own limiter and of the sender's address. Slow bodies therefore never hold a slot, and each
/// store's slots are its own, so one tenant's flood or trickle cannot delay another tenant's webhooks. Every platform
/// we take webhooks from retries a 5xx, and the engine's dedupe makes the retry harmless, so refusing with 503 +
/// Retry-After costs a delay, never an event.
/// </summary>
public static class WebhookConcurrencyLimit
{
    /// <summary>Registers the options (validated on start) and the per-store and per-source limiters.</summary>
    public static IServiceCollection AddWebhookConcurrencyLimit(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WebhookLimitOptions>()
            .Bind(configuration.GetSection(WebhookLimitOptions.Section))
            .Validate(o => o.MaxConcurrent > 0 && o.MaxConcurrentPerSource > 0, "Webhooks:MaxConcurrent and MaxConcurrentPerSource must be positive.")
            .Validate(o => o.QueueLimit >= 0 && o.QueueLimitPerSource >= 0, "Webhooks:QueueLimit and QueueLimitPerSource must not be negative.")
            .Validate(o => o.RetryAfter >= TimeSpan.FromSeconds(1), "Webhooks:RetryAfter must be at least one second.")
            .Validate(o => o.BodyReadTimeout > TimeSpan.Zero && o.MinBodyBytesPerSecond > 0 && o.MaxBodyBytes > 0,
                "Webhooks:BodyReadTimeout, MinBodyBytesPerSecond and MaxBodyBytes must be positive.")
            .ValidateOnStart();
        services.AddSingleton<WebhookLimiter>();
        return services;
    }

    /// <summary>Puts every endpoint of the group behind webhook admission (body first, then the store's slot).</summary>
    public static RouteGroupBuilder RequireWebhookConcurrencyLimit(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter<WebhookAdmissionFilter>();
        return group;
    }
}

/// <summary>The node's webhook limiters: one concurrency limiter per store, chained with one per source address.</summary>
public sealed class WebhookLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter;

    public WebhookLimiter(IOptions<WebhookLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        var perStore = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetConcurrencyLimiter(StoreKey(http), _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = settings.MaxConcurrent,
            QueueLimit = settings.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));
        var perSource = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetConcurrencyLimiter(SourceKey(http), _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = settings.MaxConcurrentPerSource,
            QueueLimit = settings.QueueLimitPerSource,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));
        // Store first: a store waiting for its own slot holds none of its sender's, so a flooding store cannot use up the address's share.
        _limiter = PartitionedRateLimiter.CreateChained(perStore, perSource);
    }

    public ValueTask<RateLimitLease> AcquireAsync(HttpContext http, CancellationToken cancellationToken) => _limiter.AcquireAsync(http, 1, cancellationToken);

    /// <summary>
    /// The store a delivery is for, as the route or Shopify's header names it. Not checked against the directory here:
    /// an unknown store gets its own (empty) partition and then a 404 from the endpoint.
    /// </summary>
    internal static string StoreKey(HttpContext http)
    {
        var values = http.Request.RouteValues;
        if (values.TryGetValue("tenantId", out var tenant) && values.TryGetValue("storeId", out var store))
        {
            return $"{tenant}/{store}";
        }

        var shop = http.Request.Headers[ShopifyHeaders.ShopDomain].ToString();
        return "shopify:" + shop.Trim().ToLowerInvariant();
    }

    internal static string SourceKey(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public void Dispose() => _limiter.Dispose();
}

/// <summary>Reads the body under a deadline, then holds a store and source slot while the endpoint runs.</summary>
public sealed class WebhookAdmissionFilter(WebhookLimiter limiter, IOptions<WebhookLimitOptions> options, TimeProvider time) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var settings = options.Value;
        if (http.Request.ContentLength > settings.MaxBodyBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Webhook bodies are limited to {settings.MaxBodyBytes} bytes.");
        }

        SetMinimumDataRate(http, settings.MinBodyBytesPerSecond);

        // The app's clock, so tests can pass the deadline without waiting for it.
        using var deadline = new CancellationTokenSource(settings.BodyReadTimeout, time);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadline.Token);
        byte[]? body;
        try
        {
            body = await WebhookBody.ReadAsync(http.Request, settings.MaxBodyBytes, reading.Token);
        }
        catch (EndOfStreamException)
        {
            return Problem(StatusCodes.Status400BadRequest, "Body incomplete", "The body ended before its Content-Length. Nothing from this delivery was stored.");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested)
        {
            return Problem(StatusCodes.Status408RequestTimeout, "Body too slow",
                $"The webhook body did not arrive within {settings.BodyReadTimeout.TotalSeconds:0} s. Nothing from this delivery was stored.");
        }

        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Webhook bodies are limited to {settings.MaxBodyBytes} bytes.");
        }

        // The endpoint takes these bytes as they are: no second read, no copy.
        http.Features.Set(new WebhookBody(body));

        using var lease = await limiter.AcquireAsync(http, http.RequestAborted);
        if (!lease.IsAcquired)
        {
            var seconds = (int)Math.Ceiling(settings.RetryAfter.TotalSeconds);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Busy",
                $"Too many webhooks for this store are being processed; retry after {seconds} s. Nothing from this delivery was stored.");
        }

        return await next(context);
    }

    /// <summary>Kestrel drops a connection whose body falls below the rate (after a 5 s grace); HTTP/2 streams cannot set it, and the deadline still holds there.</summary>
    private static void SetMinimumDataRate(HttpContext http, double bytesPerSecond)
    {
        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is not { } rate)
        {
            return;
        }

        try
        {
            rate.MinDataRate = new MinDataRate(bytesPerSecond, TimeSpan.FromSeconds(5));
        }
        catch (NotSupportedException)
        {
            // HTTP/2 and HTTP/3: the per-request deadline below bounds the body instead.
        }
    }

    private static IResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
