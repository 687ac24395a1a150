using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SalesDash.Web.Infrastructure;

namespace SalesDash.Web.Identity;

/// <summary>How often one client address, and one account, may try to sign in, sign up or accept an invitation ("SignInLimits").</summary>
public sealed class SignInLimitOptions
{
    public const string Section = "SignInLimits";

    /// <summary>Attempts per client address per <see cref="AddressWindow"/>: a person retyping a password never needs more; a password sprayer does.</summary>
    public int PermitsPerAddress { get; set; } = 30;

    public TimeSpan AddressWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Attempts per account (e-mail, or the signed-in user for invitations) per <see cref="AccountWindow"/>, whatever address they come from.</summary>
    public int PermitsPerAccount { get; set; } = 10;

    public TimeSpan AccountWindow { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Rate limits on the doors that take a password or a secret link: per client address (ASP.NET Core rate limiting,
/// before the body is read) and per account (an endpoint filter that reads the bound e-mail), so neither one address
/// trying many accounts nor many addresses trying one account get far. Identity's lockout still counts wrong passwords.
/// Refusals are 429 problem+json with Retry-After. Behind a proxy, enable forwarded headers so the address is the client's.
/// </summary>
public static class SignInRateLimit
{
    public const string PolicyName = "sign-in";

    public static IServiceCollection AddSignInRateLimit(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SignInLimitOptions>()
            .Bind(configuration.GetSection(SignInLimitOptions.Section))
            .Validate(o => o.PermitsPerAddress > 0 && o.PermitsPerAccount > 0, "SignInLimits permits must be positive.")
            .Validate(o => o.AddressWindow > TimeSpan.Zero && o.AccountWindow > TimeSpan.Zero, "SignInLimits windows must be positive.")
            .ValidateOnStart();
        services.AddSingleton<AccountThrottle>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SignInLimitOptions>>((limiter, limits) =>
        {
            var settings = limits.Value;
            // Registered after the API-key limiter: this policy's refusals are answered here, the rest as before.
            limiter.AddPerAddressPolicy(PolicyName, settings.PermitsPerAddress, settings.AddressWindow,
                (http, wait) => TooMany(http, wait, "from this address"));
        });
        return services;
    }

    /// <summary>Limits the endpoint per client address and per account.</summary>
    public static RouteHandlerBuilder RequireSignInRateLimit(this RouteHandlerBuilder endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.RequireRateLimiting(PolicyName).AddEndpointFilter<AccountThrottleFilter>();
    }

    internal static IResult TooMany(HttpContext http, TimeSpan wait, string scope)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts",
            detail: $"Too many sign-in attempts {scope}; try again in {seconds} s.");
    }
}

/// <summary>
/// Applies <see cref="AccountThrottle"/> to an endpoint. A separate class because endpoint filters are created per
/// request, while the limiter must live as long as the app.
/// </summary>
public sealed class AccountThrottleFilter(AccountThrottle throttle) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) => throttle.InvokeAsync(context, next);
}

/// <summary>The per-account half: one fixed window per e-mail (or signed-in user), read from the bound request.</summary>
public sealed class AccountThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _window;

    public AccountThrottle(IOptions<SignInLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _window = settings.AccountWindow;
        _limiter = PartitionedRateLimiter.Create<string, string>(account => RateLimitPartition.GetFixedWindowLimiter(account,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.PermitsPerAccount, Window = settings.AccountWindow, QueueLimit = 0 }));
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (AccountOf(context) is { } account)
        {
            using var lease = _limiter.AttemptAcquire(account);
            if (!lease.IsAcquired)
            {
                var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : _window;
                return SignInRateLimit.TooMany(context.HttpContext, wait, "for this account");
            }
        }

        return await next(context);
    }

    /// <summary>The e-mail a sign-in or sign-up names (case and spaces ignored), else the signed-in user.</summary>
    private static string? AccountOf(EndpointFilterInvocationContext context)
    {
        var email = context.Arguments.Select(a => a switch
        {
            SignInRequest r => r.Email,
            SignUpRequest r => r.Email,
            _ => null,
        }).FirstOrDefault(e => !string.IsNullOrWhiteSpace(e));
        if (email is not null)
        {
            return "email:" + email.Trim().ToUpperInvariant();
        }

        return context.HttpContext.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user ? "user:" + user : null;
    }

    public void Dispose() => _limiter.Dispose();
}
