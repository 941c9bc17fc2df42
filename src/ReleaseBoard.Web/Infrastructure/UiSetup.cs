using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using ReleaseBoard.Web.Components;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Catalog;
using ReleaseBoard.Web.Features.Catches;
using ReleaseBoard.Web.Features.DemoData;
using ReleaseBoard.Web.Features.Ingestion;
using ReleaseBoard.Web.Features.Ingestion.Webhooks;
using ReleaseBoard.Web.Features.Operations;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Features.Trends;
using ReleaseBoard.Web.Features.Wall;

namespace ReleaseBoard.Web.Infrastructure;

public static class UiSetup
{
    /// <summary>Blazor (interactive server), MudBlazor and the services of each feature.</summary>
    public static WebApplicationBuilder AddReleaseBoardFeatures(this WebApplicationBuilder builder)
    {
        // Lets `dotnet ReleaseBoard.Web.dll` serve static assets straight from a build output in any environment
        // (the browser tests run it that way); a published app has no such manifest and this does nothing.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.AddSingleton<WallQuery>();
        builder.AddPromotionStateMachine();
        builder.Services.AddSingleton<PromotionGate>();
        builder.Services.AddSingleton<PromotionActions>();
        builder.Services.AddHostedService<PromotionExpirySweep>();
        builder.Services.AddHostedService<ChangeStampPoller>();
        builder.Services.AddSingleton<PromotionAuditQuery>();
        builder.Services.AddSingleton<PipelinesQuery>();
        builder.Services.AddSingleton<CatchRecorder>();
        builder.Services.AddSingleton<DeploymentIngestion>();
        builder.Services.AddSingleton<IncidentIngestion>();
        builder.Services.AddSingleton<CatchIngestion>();
        builder.Services.AddSingleton<CatalogService>();
        builder.Services.AddSingleton<ReleaseBoard.Web.Features.Ingestion.Import.EventImporter>();
        builder.Services.AddProblemDetails();
        builder.Services.AddApiDocumentation();
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName);
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddSingleton<WebhookDeliveries>();
        builder.Services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        builder.AddDemoDataServices();
        return builder;
    }

    /// <summary>
    /// The promotion state machine and what its readiness evidence reads. The command line needs it too: an import of
    /// a failure still open pauses promotion there as it does in the app.
    /// </summary>
    public static WebApplicationBuilder AddPromotionStateMachine(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<TrendEngine>();
        builder.Services.TryAddSingleton<ReadinessEvaluator>();
        builder.Services.TryAddSingleton<WhatIfReplay>();
        builder.Services.TryAddSingleton<EvidenceSnapshot>();
        builder.Services.TryAddSingleton<PromotionService>();
        builder
            .Services.AddOptions<PromotionOptions>()
            .BindConfiguration(PromotionOptions.SectionName)
            .Validate(o => o.PausingSeverity is >= 1 and <= 4, "Promotion:PausingSeverity must be 1 to 4 (1 = worst).")
            .ValidateOnStart();
        return builder;
    }

    public static WebApplicationBuilder AddDemoDataServices(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ServiceResolver>();
        builder.Services.AddOptions<DemoDataOptions>().BindConfiguration(DemoDataOptions.SectionName);
        builder.Services.AddSingleton<DemoDataSeeder>();
        return builder;
    }

    // One secret for every repository let any team's webhook speak for any other's; such a setting now does nothing.
    private static void WarnOfRetiredSettings(WebApplication app)
    {
        foreach (
            var key in WebhookOptions.RetiredSecretSettings.Where(k => !string.IsNullOrEmpty(app.Configuration[k]))
        )
            app.Logger.LogWarning(
                "{Setting} is no longer read: a webhook secret is bound to what it speaks for. Add it with "
                    + "`webhooks add` (or Admin → Webhooks) for each repository, service or team, then remove the "
                    + "setting.",
                key
            );
    }

    /// <summary>Migrates, seeds the demo on an empty database, then maps the pages and endpoints.</summary>
    public static async Task UseReleaseBoardAsync(this WebApplication app)
    {
        await app.MigrateDatabaseAsync();
        await app.Services.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync();
        await app.EnsureFirstAdminAsync();
        WarnOfRetiredSettings(app);

        app.UseReleaseBoardTransport();
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        // People get a page for an error status; machines (calls to /api, anything with a Bearer key) get
        // application/problem+json for every status that has no body of its own (401, 403, a bad query string).
        static bool ForMachines(HttpContext context) =>
            context.Request.Path.StartsWithSegments("/api")
            || ApiKeyAuthenticationHandler.TryReadBearer(context.Request, out _);
        app.UseWhen(
            context => !ForMachines(context),
            branch => branch.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true)
        );
        app.UseWhen(ForMachines, branch => branch.UseStatusCodePages().UseDatabaseOutageAnswers());
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapHealthEndpoints();
        app.MapAccountEndpoints();
        app.MapApiDocumentation();
        // No antiforgery form tokens on the API: event writes take a Bearer key only, and the promotion changes that
        // take a person's cookie guard themselves (JSON bodies only, same-origin filter; see PromotionEndpoints).
        var api = app.MapGroup("/api/v1").DisableAntiforgery();
        api.MapWallEndpoints();
        api.MapTrendEndpoints();
        api.MapTeamsEndpoints();
        api.MapIngestionEndpoints();
        api.MapWebhookEndpoints();
        api.MapCatalogEndpoints();
        api.MapGateEndpoints();
        api.MapPromotionEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
