using Microsoft.Extensions.DependencyInjection.Extensions;
using ReleaseBoard.Web.Features.Ingestion.Import;
using ReleaseBoard.Web.Features.Ingestion.Webhooks;

namespace ReleaseBoard.Web.Features.Ingestion;

public static class IngestionSetup
{
    /// <summary>The CSV importer and the webhook secrets, which the command line's commands use as well.</summary>
    public static IServiceCollection AddIngestionCore(this IServiceCollection services)
    {
        services.TryAddSingleton<EventImporter>();
        services.TryAddSingleton<WebhookSecrets>();
        return services;
    }

    public static WebApplicationBuilder AddIngestion(this WebApplicationBuilder builder)
    {
        builder.Services.AddIngestionCore();
        builder.Services.AddSingleton<DeploymentIngestion>();
        builder.Services.AddSingleton<IncidentIngestion>();
        builder.Services.AddSingleton<CatchIngestion>();
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName);
        builder.Services.AddSingleton<WebhookDeliveries>();
        return builder;
    }

    public static RouteGroupBuilder MapIngestion(this RouteGroupBuilder api) =>
        api.MapTeamsEndpoints().MapIngestionEndpoints().MapWebhookEndpoints();

    // One secret for every repository let any team's webhook speak for any other's; such a setting now does nothing.
    public static void WarnOfRetiredSettings(this WebApplication app)
    {
        foreach (
            var key in WebhookOptions.RetiredSecretSettings.Where(k => !string.IsNullOrEmpty(app.Configuration[k]))
        )
            app.Logger.LogWarning(
                "{Setting} is no longer read: a webhook secret is bound to what it speaks for. Add it with "
                    + "`webhooks add` (or Admin → Webhooks) for each repository, service or team, then remove it.",
                key
            );
    }
}
