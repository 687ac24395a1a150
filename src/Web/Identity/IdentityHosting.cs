using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Engine;
using SalesDash.Web.AppData;

namespace SalesDash.Web.Identity;

public enum AppDatabaseProvider
{
    Sqlite,
    PostgreSQL,
}

/// <summary>Where the app database lives ("AppDatabase" section): identity and every piece of app state.</summary>
public sealed class AppDatabaseOptions
{
    public const string Section = "AppDatabase";

    /// <summary>Sqlite (salesdash.db in Engine:DataDirectory, or <see cref="ConnectionString"/>) or PostgreSQL (with <see cref="ConnectionString"/>), for clusters.</summary>
    public AppDatabaseProvider Provider { get; set; } = AppDatabaseProvider.Sqlite;

    public string? ConnectionString { get; set; }
}

/// <summary>Sign-in, invitation and API-key settings ("Identity" section).</summary>
public sealed class SalesDashIdentityOptions
{
    public const string Section = "Identity";

    /// <summary>How long an invitation link works.</summary>
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The address accept links start with; empty means the address the inviting request came to.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Requests one API key may make per <see cref="ApiKeyWindow"/>.</summary>
    public int ApiKeyPermits { get; set; } = 120;

    public TimeSpan ApiKeyWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Puts the display name in <see cref="ClaimTypes.Name"/> (Identity puts the user name, our e-mail, there).</summary>
public sealed class SalesDashClaimsFactory(UserManager<AppUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        foreach (var name in identity.FindAll(ClaimTypes.Name).ToList())
        {
            identity.RemoveClaim(name);
        }

        identity.AddClaim(new Claim(ClaimTypes.Name, user.DisplayName));
        if (!identity.HasClaim(c => c.Type == ClaimTypes.Email) && user.Email is not null)
        {
            identity.AddClaim(new Claim(ClaimTypes.Email, user.Email));
        }

        return identity;
    }
}

public static class IdentityHosting
{
    /// <summary>The scheme every request is authenticated with: an API key when one is sent, else the sign-in cookie.</summary>
    public const string DefaultScheme = "SalesDash";

    /// <summary>The rate-limiter partition of requests that are not made with an API key: not limited here.</summary>
    private const string NoKeyPartition = "";

    public static IServiceCollection AddSalesDashIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AppDatabaseOptions>()
            .Bind(configuration.GetSection(AppDatabaseOptions.Section))
            .Validate(o => o.Provider != AppDatabaseProvider.PostgreSQL || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "AppDatabase:Provider=PostgreSQL needs AppDatabase:ConnectionString.")
            .ValidateOnStart();
        services.AddOptions<SalesDashIdentityOptions>()
            .Bind(configuration.GetSection(SalesDashIdentityOptions.Section))
            .Validate(o => o.ApiKeyPermits > 0 && o.ApiKeyWindow > TimeSpan.Zero, "Identity:ApiKeyPermits and Identity:ApiKeyWindow must be positive.")
            .Validate(o => o.InvitationLifetime > TimeSpan.Zero, "Identity:InvitationLifetime must be positive.")
            .ValidateOnStart();

        // One app database (identity and all app state), migrated at start; the factory picks the provider's context,
        // whose migrations are the ones EF Core applies.
        services.AddDbContextFactory<AppIdentityDbContext, AppDbContextFactory>((sp, db) =>
        {
            var options = sp.GetRequiredService<IOptions<AppDatabaseOptions>>().Value;
            if (options.Provider == AppDatabaseProvider.PostgreSQL)
            {
                db.UseNpgsql(options.ConnectionString);
            }
            else
            {
                var folder = sp.GetRequiredService<IOptions<EngineOptions>>().Value.DataDirectory;
                Directory.CreateDirectory(folder);
                AppDatabase.CarryOverLegacyIdentityFile(options, folder);
                db.UseSqlite(AppDatabase.SqliteConnectionString(options, folder));
            }
        });

        services.AddIdentityCore<AppUser>(identity =>
            {
                identity.User.RequireUniqueEmail = true;
                identity.Password.RequiredLength = 10;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Lockout.AllowedForNewUsers = true;
                identity.Lockout.MaxFailedAccessAttempts = 5;
                identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                identity.ClaimsIdentity.EmailClaimType = ClaimTypes.Email;
            })
            .AddEntityFrameworkStores<AppIdentityDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<SalesDashClaimsFactory>();

        // Cookies and encrypted channel credentials must open on every node: the key ring lives in the shared database.
        // Encrypted with DataProtection:Certificate when set, so a copy of the database alone opens none of them.
        services.AddDataProtection().SetApplicationName("SalesDash").PersistKeysToDbContext<AppIdentityDbContext>()
            .ProtectKeysWithConfiguredCertificate(configuration);

        services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, "API key or sign-in cookie", policy => policy.ForwardDefaultSelector = context =>
                ApiKeyAuthenticationHandler.PresentedKey(context.Request) is not null
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, _ => { })
            .AddCookie(IdentityConstants.ApplicationScheme, cookie =>
            {
                cookie.Cookie.Name = "SalesDash.Auth";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = TimeSpan.FromDays(14);
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/sign-in";

                // The API answers problem+json, never a redirect to an HTML page a script cannot follow.
                cookie.Events.OnRedirectToLogin = context => WriteProblemOrRedirect(context, StatusCodes.Status401Unauthorized,
                    "Sign-in required", "Sign in, or send an API key as 'Authorization: Bearer <key>'.");
                cookie.Events.OnRedirectToAccessDenied = context => WriteProblemOrRedirect(context, StatusCodes.Status403Forbidden,
                    "Forbidden", "Your role does not allow this.");
            });
        services.AddAuthorization();

        services.AddSingleton<OrgAccess>();
        // First of the hosted services: the schema, organisations and imported key ring exist before anything else starts.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, IdentitySeeder>());
        services.AddApiKeyRateLimit();
        services.AddSignInRateLimit(configuration);
        return services;
    }

    /// <summary>Authentication, then the organisation-role check every endpoint's metadata asks for, then per-key rate limits.</summary>
    public static IApplicationBuilder UseSalesDashIdentity(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<OrgRoleEnforcement>();
        return app;
    }

    private static Task WriteProblemOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context,
        int status, string title, string detail)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            || context.Request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context.HttpContext);
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// One fixed window per API key (partitioned by key id), so one busy integration cannot starve another; requests
    /// without a key are not limited here. Rejections are 429 problem+json with Retry-After.
    /// </summary>
    private static void AddApiKeyRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SalesDashIdentityOptions>>((limiter, identity) =>
        {
            var settings = identity.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var keyId = context.User.FindFirstValue(SalesDashClaims.ApiKeyId);
                return keyId is null
                    ? RateLimitPartition.GetNoLimiter(NoKeyPartition)
                    : RateLimitPartition.GetFixedWindowLimiter(keyId, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = settings.ApiKeyPermits,
                        Window = settings.ApiKeyWindow,
                        QueueLimit = 0,
                    });
            });

            // The webhook limiter registered its own rejection answer; keep it for everything that is not an API key.
            var earlier = limiter.OnRejected;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                if (!context.HttpContext.User.HasClaim(c => c.Type == SalesDashClaims.ApiKeyId))
                {
                    if (earlier is not null)
                    {
                        await earlier(context, cancellationToken);
                    }

                    return;
                }

                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : settings.ApiKeyWindow;
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                        detail: $"This API key may make {settings.ApiKeyPermits} requests per {settings.ApiKeyWindow.TotalSeconds:0} s; try again in {seconds} s.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
    }
}
