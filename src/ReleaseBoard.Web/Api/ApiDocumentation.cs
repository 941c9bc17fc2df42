using Scalar.AspNetCore;

namespace ReleaseBoard.Web.Api;

public static class ApiDocumentation
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = Infrastructure.TransportSetup.ApiReferencePath;

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services) =>
        services.AddOpenApi(options =>
            options.AddDocumentTransformer(
                (document, _, _) =>
                {
                    document.Info.Title = "ReleaseBoard API";
                    document.Info.Description =
                        "Record deployments, incidents and catches; read teams, events and the wall's sign. "
                        + "Authenticate with an API key: Authorization: Bearer rbk_…";
                    return Task.CompletedTask;
                }
            )
        );

    /// <summary>
    /// The OpenAPI document and a browsable reference (Scalar, served by the app itself: no CDN). Public: they
    /// describe, they reveal no data.
    /// </summary>
    public static IEndpointRouteBuilder MapApiDocumentation(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi().AllowAnonymous();
        // Nothing leaves the machine: no web fonts, no telemetry, no AI agent, no proxy; only the app's own document.
        app.MapScalarApiReference(ReferencePath, options =>
                options
                    .WithTitle("ReleaseBoard API reference")
                    .WithOpenApiRoutePattern(DocumentPath)
                    .DisableDefaultFonts()
                    .DisableTelemetry()
                    .DisableAgent()
                    .DisableMcp()
                    .HideDeveloperTools()
                    .HideClientButton()
                    .ForceDarkMode()
                    .AddHttpAuthentication("Bearer", _ => { })
            )
            .AllowAnonymous();
        return app;
    }
}
