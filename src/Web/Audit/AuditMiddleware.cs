using System.Security.Claims;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Audit;

/// <summary>What an endpoint adds to its audit entry: a short before → after of a settings change. Never a secret.</summary>
public sealed class AuditNote
{
    public string? Summary { get; set; }
}

public static class AuditNotes
{
    /// <summary>Records <paramref name="summary"/> on this request's audit entry (e.g. "tier Starter → Growth").</summary>
    public static void Note(this HttpContext http, string summary)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Features.Get<AuditNote>()?.Summary = summary;
    }
}

/// <summary>
/// Records every POST, PUT, PATCH and DELETE under /api, whether it succeeded or was refused: time, organisation,
/// actor, endpoint, route values and status. It runs outside everything else, so a request refused by
/// authorization, a plan limit or validation is recorded as refused, and a crash as failed. Bodies are never
/// recorded: they carry credentials and passwords.
/// </summary>
public sealed partial class AuditMiddleware(RequestDelegate next, IAuditLog log, TimeProvider time, ILogger<AuditMiddleware> logger)
{
    /// <summary>Route values that may hold a secret (a share token); recorded as "(hidden)".</summary>
    private static readonly HashSet<string> SecretRouteValues = new(StringComparer.OrdinalIgnoreCase) { "token", "secret", "password", "key", "apiKey" };

    public async Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!IsAudited(http.Request))
        {
            await next(http);
            return;
        }

        var note = new AuditNote();
        http.Features.Set(note);
        var at = time.GetUtcNow();
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(http);
            status = http.Response.StatusCode;
        }
        finally
        {
            await RecordAsync(http, at, status, note.Summary);
        }
    }

    private static bool IsAudited(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method));

    private async Task RecordAsync(HttpContext http, DateTimeOffset at, int status, string? summary)
    {
        var endpoint = http.GetEndpoint();
        var pattern = (endpoint as RouteEndpoint)?.RoutePattern.RawText;
        var action = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
            ?? (pattern is null ? $"{http.Request.Method} (no such endpoint)" : $"{http.Request.Method} {pattern}");
        var values = http.Request.RouteValues;
        var tenant = values.TryGetValue("tenantId", out var t) ? t?.ToString() : null;
        var target = values
            .Where(v => v.Key != "tenantId" && v.Value is not null)
            .ToDictionary(v => v.Key, v => SecretRouteValues.Contains(v.Key) ? "(hidden)" : v.Value!.ToString() ?? string.Empty, StringComparer.Ordinal);
        var user = http.User;
        var entry = new AuditEntry(
            0, at, tenant,
            user.FindFirstValue(ClaimTypes.NameIdentifier),
            user.FindFirstValue(ClaimTypes.Email),
            user.FindFirstValue(SalesDashClaims.ApiKeyId),
            action, http.Request.Method, PathWithoutSecrets(http, target), target, status, OutcomeOf(status), summary);
        try
        {
            // Not the request's token: a client that hangs up after sending a change must still leave its trace.
            await log.AppendAsync(entry, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, action, status);
        }
    }

    /// <summary>The path, with any secret route value replaced by what <paramref name="target"/> shows.</summary>
    private static string PathWithoutSecrets(HttpContext http, Dictionary<string, string> target)
    {
        var path = http.Request.Path.Value ?? string.Empty;
        foreach (var (key, value) in http.Request.RouteValues)
        {
            if (SecretRouteValues.Contains(key) && value?.ToString() is { Length: > 0 } secret)
            {
                path = path.Replace(secret, target[key], StringComparison.Ordinal);
            }
        }

        return path;
    }

    public static string OutcomeOf(int status) => status switch
    {
        >= 500 => "failed",
        >= 400 => "refused",
        _ => "succeeded",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record audit entry for {Action} ({Status})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string action, int status);
}
