using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReleaseBoard.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DeploymentFixesIncident : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "FixesIncidentId",
                table: "Deployments",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_FixesIncidentId",
                table: "Deployments",
                column: "FixesIncidentId");

            migrationBuilder.AddForeignKey(
                name: "FK_Deployments_Incidents_FixesIncidentId",
                table: "Deployments",
                column: "FixesIncidentId",
                principalTable: "Incidents",
                principalColumn: "Id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Deployments_Incidents_FixesIncidentId",
                table: "Deployments");

            migrationBuilder.DropIndex(
                name: "IX_Deployments_FixesIncidentId",
                table: "Deployments");

            migrationBuilder.DropColumn(
                name: "FixesIncidentId",
                table: "Deployments");
        }
    }
}
