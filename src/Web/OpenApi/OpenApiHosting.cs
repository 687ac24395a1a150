using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SalesDash.Web.OpenApi;

/// <summary>
/// The public API described at /openapi/v1.json (Microsoft.AspNetCore.OpenApi), with the API-key scheme every
/// endpoint accepts, and a browsable Swagger UI at /api/docs rendering that same document. The document is generated
/// once, from start, and served from <see cref="OpenApiDocumentCache"/> with an ETag.
/// </summary>
public static class OpenApiHosting
{
    public const string DocumentName = "v1";

    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddSalesDashOpenApi(this IServiceCollection services)
    {
        services.AddOptions<OpenApiWarmUpOptions>().BindConfiguration(OpenApiWarmUpOptions.Section);
        services.AddSingleton<OpenApiDocumentCache>();
        services.AddHostedService(sp => sp.GetRequiredService<OpenApiDocumentCache>());
        return services.AddOpenApi(DocumentName, options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "SalesDash API",
                Version = "v1",
                Description = "Live and historical sales figures per organisation and store. Authenticate with an API key from "
                    + "Organisation → API keys as 'Authorization: Bearer <key>' (or X-Api-Key). Keys with the read scope may GET; "
                    + "write keys may also change things. Each key is rate limited; 429 answers carry Retry-After.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "sdk_<prefix>_<secret>",
                Description = "An organisation's API key.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] });
            return Task.CompletedTask;
        }));
    }

    public static WebApplication MapSalesDashOpenApi(this WebApplication app)
    {
        app.MapGet(DocumentPath, OpenApiDocumentCache.ServeAsync).AllowAnonymous().ExcludeFromDescription();
        app.UseSwaggerUi(ui =>
        {
            ui.Path = "/api/docs";
            ui.DocumentPath = DocumentPath;
            ui.DocumentTitle = "SalesDash API";
        });
        return app;
    }
}
