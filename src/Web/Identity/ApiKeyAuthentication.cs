using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SalesDash.Web.Identity;

/// <summary>
/// API keys look like <c>sdk_ab12cd34ef_&lt;secret&gt;</c>: a public prefix that finds the row, and a 256-bit secret
/// whose SHA-256 is all the database keeps. A stolen database yields no usable key.
/// </summary>
public static class ApiKeySecrets
{
    public const string Start = "sdk_";

    public static (string Prefix, string Key, string Hash) Generate()
    {
        var prefix = Start + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = $"{prefix}_{secret}";
        return (prefix, key, Hash(key));
    }

    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The prefix of a presented key, or null when it is not shaped like one of ours.</summary>
    public static string? PrefixOf(string key)
    {
        if (!key.StartsWith(Start, StringComparison.Ordinal))
        {
            return null;
        }

        var end = key.IndexOf('_', Start.Length);
        return end > Start.Length ? key[..end] : null;
    }

    public static bool Matches(string presented, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(presented)), Encoding.ASCII.GetBytes(storedHash));
}

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key</c> into a principal carrying
/// <see cref="SalesDashClaims"/> for the key's organisation and scopes; an unknown or revoked key fails (401).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IDbContextFactory<AppIdentityDbContext> databases,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>Last-used is written at most this often per key, so a busy key does not write on every request.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public static string? PresentedKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        var apiKey = request.Headers["X-Api-Key"].ToString();
        return string.IsNullOrWhiteSpace(apiKey) ? null : apiKey.Trim();
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        var prefix = ApiKeySecrets.PrefixOf(presented);
        if (prefix is null)
        {
            return AuthenticateResult.Fail("Not a SalesDash API key.");
        }

        await using var db = await databases.CreateDbContextAsync(Context.RequestAborted);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Prefix == prefix, Context.RequestAborted);
        if (key is null || !ApiKeySecrets.Matches(presented, key.SecretHash))
        {
            return AuthenticateResult.Fail("Unknown API key.");
        }

        if (key.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("This API key was revoked.");
        }

        var now = time.GetUtcNow();
        if (key.LastUsedAt is null || now - key.LastUsedAt.Value >= LastUsedResolution)
        {
            key.LastUsedAt = now;
            await db.SaveChangesAsync(Context.RequestAborted);
        }

        List<Claim> claims =
        [
            new(SalesDashClaims.ApiKeyId, key.Id.ToString()),
            new(SalesDashClaims.ApiKeyOrganisation, key.OrganisationId),
            new(ClaimTypes.Name, $"API key {key.Name}"),
            .. key.Scopes.Select(s => new Claim(SalesDashClaims.ApiKeyScope, s)),
        ];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message ?? "Send a valid API key.";
        await TypedResults.Problem(statusCode: 401, title: "Invalid API key", detail: failure).ExecuteAsync(Context);
    }
}
