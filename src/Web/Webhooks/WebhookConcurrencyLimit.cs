using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace SalesDash.Web.Webhooks;

/// <summary>How much webhook work one web node takes on at once, bound from the "Webhooks" configuration section.</summary>
public sealed class WebhookLimitOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Webhooks being handled at once. Each holds its body (at most 2 MiB) and waits for the engine, so this and
    /// <see cref="QueueLimit"/> bound the memory webhooks can take when the engine falls behind.
    /// </summary>
    public int MaxConcurrent { get; set; } = 64;

    /// <summary>Webhooks waiting for a slot, oldest first; their bodies are not read yet. Beyond this they get 503.</summary>
    public int QueueLimit { get; set; } = 256;

    /// <summary>The Retry-After sent with a 503: platforms that honour it come back after this long, the rest retry on their own schedule.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Backpressure at the web tier: when the engine (or Kafka) is slow, webhooks pile up here, a bounded number
/// are held, and the rest are refused with 503 + Retry-After before their bodies are read. Every platform we
/// take webhooks from retries a 5xx, and the engine's dedupe makes the retry harmless, so refusing costs a
/// delay, never an event, while accepting without bound would cost the node its memory.
/// </summary>
public static class WebhookConcurrencyLimit
{
    /// <summary>The rate-limiter policy the webhook groups require.</summary>
    public const string PolicyName = "webhooks";

    /// <summary>Registers the options (validated on start) and the concurrency-limiter policy.</summary>
    public static IServiceCollection AddWebhookConcurrencyLimit(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WebhookLimitOptions>()
            .Bind(configuration.GetSection(WebhookLimitOptions.Section))
            .Validate(o => o.MaxConcurrent > 0, "Webhooks:MaxConcurrent must be positive.")
            .Validate(o => o.QueueLimit >= 0, "Webhooks:QueueLimit must not be negative.")
            .Validate(o => o.RetryAfter >= TimeSpan.FromSeconds(1), "Webhooks:RetryAfter must be at least one second.")
            .ValidateOnStart();

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<WebhookLimitOptions>>((limiter, limits) =>
        {
            var settings = limits.Value;
            // One limiter for all webhooks of the node: the memory at stake is the node's, whichever store sent them.
            limiter.AddPolicy(PolicyName, _ => RateLimitPartition.GetConcurrencyLimiter(PolicyName, _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = settings.MaxConcurrent,
                QueueLimit = settings.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }));
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = (int)Math.Ceiling(settings.RetryAfter.TotalSeconds);
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status503ServiceUnavailable,
                        Title = "Busy",
                        Detail = $"Too many webhooks are being processed; retry after {seconds} s. Nothing from this delivery was stored.",
                    },
                });
            };
        });
        return services;
    }

    /// <summary>Puts every endpoint of the group under the webhook concurrency limit.</summary>
    public static RouteGroupBuilder RequireWebhookConcurrencyLimit(this RouteGroupBuilder group)
    {
        group.RequireRateLimiting(PolicyName);
        return group;
    }
}
