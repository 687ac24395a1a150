using Microsoft.Extensions.FileProviders;

namespace SalesDash.Web;

/// <summary>
/// Serves the single-page app for client-side routes (e.g. /dashboards/demo/demo-shop), while unknown
/// API, hub and webhook paths keep answering 404 problem+json instead of HTML.
/// </summary>
internal static class SpaFallback
{
    private static readonly string[] ServerPrefixes = ["/api", "/hubs", "/webhooks", "/healthz"];

    public static async Task<IResult> ServeIndexAsync(HttpContext context, IWebHostEnvironment environment)
    {
        var path = context.Request.Path;
        if (ServerPrefixes.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)) || !HttpMethods.IsGet(context.Request.Method))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Nothing is served at {path}.");
        }

        var index = environment.WebRootFileProvider.GetFileInfo("index.html");
        if (!index.Exists || index is NotFoundFileInfo)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Front end not built",
                detail: "wwwroot/index.html is missing: run ./run.sh (or npm run build in src/Web/ClientApp).");
        }

        await using var stream = index.CreateReadStream();
        using var reader = new StreamReader(stream);
        return TypedResults.Content(await reader.ReadToEndAsync(context.RequestAborted), "text/html; charset=utf-8");
    }
}
