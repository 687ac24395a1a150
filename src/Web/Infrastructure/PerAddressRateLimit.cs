using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace SalesDash.Web.Infrastructure;

/// <summary>
/// A named fixed-window limit per client address whose refusals the policy answers itself. Policies chain: a refusal
/// of any other policy goes to the handler registered before this one, so each door keeps its own 429 text.
/// Behind a proxy, enable forwarded headers so that the address is the client's.
/// </summary>
public static class PerAddressRateLimit
{
    /// <param name="refusal">The answer to a refused request, given how long the client should wait.</param>
    public static void AddPerAddressPolicy(this RateLimiterOptions limiter, string policyName, int permits, TimeSpan window,
        Func<HttpContext, TimeSpan, IResult> refusal)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(refusal);
        limiter.AddPolicy(policyName, http => RateLimitPartition.GetFixedWindowLimiter(
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 }));

        var earlier = limiter.OnRejected;
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            if (context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName != policyName)
            {
                if (earlier is not null)
                {
                    await earlier(context, cancellationToken);
                }

                return;
            }

            var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : window;
            await refusal(context.HttpContext, wait).ExecuteAsync(context.HttpContext);
        };
    }
}
