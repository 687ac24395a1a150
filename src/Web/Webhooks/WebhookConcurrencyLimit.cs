using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Shopify;

namespace SalesDash.Web.Webhooks;

/// <summary>How much webhook work one web node takes on, and from whom, bound from the "Webhooks" configuration section.</summary>
public sealed class WebhookLimitOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Webhooks of one store being handled at once. Each store has its own slots, so one tenant's flood fills its own
    /// and never another's. It also caps the store's group commit: the entity journals together only what is inside, so
    /// 16 held a busy store to 16 events a write (a journal transaction and an fsync every 16 webhooks), and after a 50 ms
    /// hiccup at 2,000/s the 100 behind it drained 16 a write, which was the POST's p99 (bench/README, issue 15 pts 1 and 4
    /// at stop 19). What is in hand is the batch being committed plus the one gathering behind it, so 128 still left a
    /// backlog at the door whenever a commit ran past 64 ms at 2,000/s (stop 21). 512 lets a 250 ms stall's backlog in
    /// at once; what waits beyond it is still bounded by <see cref="QueueLimit"/> and <see cref="MaxQueueWait"/>.
    /// </summary>
    public int MaxConcurrent { get; set; } = 512;

    /// <summary>
    /// Webhooks of one store waiting for a slot, oldest first (bodies already read). Beyond this they get 503. Sized from
    /// the rate a busy store sends and the longest ordinary hiccup of its journal: at 2,000/s, a 250 ms group commit
    /// behind a GC pause leaves 500 waiting. 64 shed 6.4% of a paced 2,000/s that the node went on to sustain (bench/README,
    /// issue 15 pt 4). What bounds a flooding store is <see cref="MaxQueueWait"/> as much as this count.
    /// </summary>
    public int QueueLimit { get; set; } = 1024;

    /// <summary>
    /// The longest a webhook waits for its store's slot before it is refused with 503 + Retry-After: a store sending
    /// faster than it is handled is shed within this long, whatever the count, and the platform's retry comes back later.
    /// Well under the 5 s Shopify waits for an answer.
    /// </summary>
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Webhooks from one source address being handled at once, across its stores: bounds what one sender (or one
    /// attacker spreading over made-up stores) takes of the node. Platforms send from a few addresses, so it is generous:
    /// twice <see cref="MaxConcurrent"/>, so one busy store behind a platform's address leaves half of it to the others.
    /// </summary>
    public int MaxConcurrentPerSource { get; set; } = 1024;

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
            .Validate(o => o.MaxQueueWait > TimeSpan.Zero, "Webhooks:MaxQueueWait must be positive.")
            .Validate(o => o.BodyReadTimeout > TimeSpan.Zero && o.MinBodyBytesPerSecond > 0 && o.MaxBodyBytes > 0,
                "Webhooks:BodyReadTimeout, MinBodyBytesPerSecond and MaxBodyBytes must be positive.")
            .ValidateOnStart();
        services.AddSingleton<WebhookLimiter>();
        services.TryAddSingleton(WebhookBodyPool.Shared);
        services.TryAddSingleton(sp => new WebhookAdmissionMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
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
    private int _waiting;

    /// <summary>Webhooks on this node waiting for a slot right now (the operator's view of a queue; tests wait on it).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

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

    /// <summary>A slot now, without queueing; fails when none is free or others already wait (they keep their turn).</summary>
    public RateLimitLease AttemptAcquire(HttpContext http) => _limiter.AttemptAcquire(http, 1);

    public async ValueTask<RateLimitLease> AcquireAsync(HttpContext http, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            return await _limiter.AcquireAsync(http, 1, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

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
public sealed class WebhookAdmissionFilter(
    WebhookLimiter limiter, IOptions<WebhookLimitOptions> options, TimeProvider time, WebhookAdmissionMetrics metrics, WebhookBodyPool pool)
    : IEndpointFilter
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
        WebhookBody? body;
        try
        {
            body = await WebhookBody.ReadPooledAsync(http.Request, settings.MaxBodyBytes, pool, reading.Token);
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

        // The endpoint takes these bytes as they are: no second read, no copy. The array goes back to the pool once the
        // endpoint has answered: by then its events are made of their own strings and numbers (or refused), and the
        // result it returns carries none of the body.
        http.Features.Set(body);
        try
        {
            using var slot = await AcquireSlotAsync(http, settings.MaxQueueWait);
            if (!slot.IsAcquired)
            {
                var seconds = (int)Math.Ceiling(settings.RetryAfter.TotalSeconds);
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status503ServiceUnavailable, "Busy",
                    $"Too many webhooks for this store are being processed; retry after {seconds} s. Nothing from this delivery was stored.");
            }

            return await next(context);
        }
        finally
        {
            http.Features.Set<WebhookBody>(null);
            body.Dispose();
        }
    }

    /// <summary>A free slot at once (the usual case, no timer); else a place in the queue for at most <paramref name="maxWait"/>.</summary>
    private async ValueTask<RateLimitLease> AcquireSlotAsync(HttpContext http, TimeSpan maxWait)
    {
        var now = limiter.AttemptAcquire(http);
        if (now.IsAcquired)
        {
            metrics.SlotWait.Record(0);
            return now;
        }

        now.Dispose();
        var queuedAt = time.GetTimestamp();
        // The app's clock, as for the body; a delivery that waited this long is refused like one that found the queue full.
        using var deadline = new CancellationTokenSource(maxWait, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadline.Token);
        try
        {
            var lease = await limiter.AcquireAsync(http, waiting.Token);
            if (lease.IsAcquired)
            {
                metrics.SlotWait.Record(time.GetElapsedTime(queuedAt).TotalMilliseconds);
            }

            return lease;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested)
        {
            return FailedLease.Instance;
        }
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

    /// <summary>What a wait past <see cref="WebhookLimitOptions.MaxQueueWait"/> amounts to: no slot.</summary>
    private sealed class FailedLease : RateLimitLease
    {
        public static readonly FailedLease Instance = new();

        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
