using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Components.Charts;

namespace ReleaseBoard.Tests.Components;

/// <summary>Our apexcharts wrapper: created once after render, updated in place, destroyed on dispose.</summary>
public class ApexChartTests : BunitContext
{
    private readonly BunitJSModuleInterop _module;

    public ApexChartTests()
    {
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        _module = JSInterop.SetupModule(ApexChart.ModulePath);
        _module.SetupVoid("create", _ => true).SetVoidResult();
        _module.Setup<bool>("update", _ => true).SetResult(true);
        _module.SetupVoid("destroy", _ => true).SetVoidResult();
    }

    private static object Options(params double?[] data) => new { series = new[] { new { name = "MTBF", data } } };

    private static JsonElement OptionsSent(JSRuntimeInvocation invocation, int index) =>
        (JsonElement)invocation.Arguments[index]!;

    [Fact]
    public void It_creates_the_chart_once_after_rendering_with_the_series_as_plain_json()
    {
        Render<ApexChart>(p => p.Add(c => c.Options, Options(1.5, null, 3)).Add(c => c.Height, 240));

        var create = Assert.Single(_module.Invocations["create"]);
        Assert.Equal(ApexChart.LibraryPath, create.Arguments[2]);
        var series = OptionsSent(create, 3).GetProperty("series");
        Assert.Equal("MTBF", series[0].GetProperty("name").GetString());
        Assert.Equal("[1.5,null,3]", series[0].GetProperty("data").GetRawText()); // a gap stays a gap
        Assert.Equal(240, create.Arguments[4]);
        Assert.Empty(_module.Invocations["update"]);
    }

    [Fact]
    public void New_data_updates_the_chart_in_place_instead_of_creating_another()
    {
        var chart = Render<ApexChart>(p => p.Add(c => c.Options, Options(1, 2)));
        var id = _module.Invocations["create"][0].Arguments[1];

        chart.Render(p => p.Add(c => c.Options, Options(3, 4)));

        Assert.Single(_module.Invocations["create"]);
        var update = Assert.Single(_module.Invocations["update"]);
        Assert.Equal(id, update.Arguments[0]);
        Assert.Equal("[3,4]", OptionsSent(update, 1).GetProperty("series")[0].GetProperty("data").GetRawText());
    }

    [Fact]
    public void The_same_data_again_costs_no_round_trip()
    {
        var chart = Render<ApexChart>(p => p.Add(c => c.Options, Options(1, 2)));

        chart.Render(p => p.Add(c => c.Options, Options(1, 2)));

        Assert.Single(_module.Invocations["create"]);
        Assert.Empty(_module.Invocations["update"]);
    }

    [Fact]
    public async Task Disposing_destroys_the_chart()
    {
        var chart = Render<ApexChart>(p => p.Add(c => c.Options, Options(1)));
        var id = _module.Invocations["create"][0].Arguments[1];

        await DisposeComponentsAsync();

        Assert.Equal(id, Assert.Single(_module.Invocations["destroy"]).Arguments[0]);
    }

    [Fact]
    public async Task After_a_dropped_circuit_disposal_does_not_throw()
    {
        var module = JSInterop.SetupModule(ApexChart.ModulePath);
        module.SetupVoid("create", _ => true).SetVoidResult();
        module.SetupVoid("destroy", _ => true).SetException(new JSDisconnectedException("circuit gone"));
        Render<ApexChart>(p => p.Add(c => c.Options, Options(1)));

        var exception = await Record.ExceptionAsync(async () => await DisposeComponentsAsync());

        Assert.Null(exception);
    }

    [Fact]
    public async Task New_data_while_the_chart_is_being_created_updates_it_afterwards_not_a_second_chart()
    {
        var module = JSInterop.SetupModule(ApexChart.ModulePath);
        var create = module.SetupVoid("create", _ => true); // the library is still loading: no answer yet
        module.Setup<bool>("update", _ => true).SetResult(true);
        var chart = Render<ApexChart>(p => p.Add(c => c.Options, Options(1)));

        chart.Render(p => p.Add(c => c.Options, Options(2)));
        Assert.Single(module.Invocations["create"]);
        Assert.Empty(module.Invocations["update"]);

        create.SetVoidResult();

        await Eventually.AssertAsync(() => Assert.Single(module.Invocations["update"]));
        Assert.Single(module.Invocations["create"]);
    }

    [Fact]
    public async Task A_chart_disposed_while_being_created_is_destroyed_once_it_exists()
    {
        var module = JSInterop.SetupModule(ApexChart.ModulePath);
        var create = module.SetupVoid("create", _ => true);
        module.SetupVoid("destroy", _ => true).SetVoidResult();
        Render<ApexChart>(p => p.Add(c => c.Options, Options(1)));

        var disposal = DisposeComponentsAsync();
        Assert.Empty(module.Invocations["destroy"]);
        create.SetVoidResult();
        await disposal;

        Assert.Single(module.Invocations["destroy"]);
    }
}
