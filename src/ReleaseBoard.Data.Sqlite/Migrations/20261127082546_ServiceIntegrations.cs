using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReleaseBoard.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ServiceIntegrations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PagerDutyServiceId",
                table: "Services",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Repository",
                table: "Services",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Services_PagerDutyServiceId",
                table: "Services",
                column: "PagerDutyServiceId");

            migrationBuilder.CreateIndex(
                name: "IX_Services_Repository",
                table: "Services",
                column: "Repository");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Services_PagerDutyServiceId",
                table: "Services");

            migrationBuilder.DropIndex(
                name: "IX_Services_Repository",
                table: "Services");

            migrationBuilder.DropColumn(
                name: "PagerDutyServiceId",
                table: "Services");

            migrationBuilder.DropColumn(
                name: "Repository",
                table: "Services");
        }
    }
}
