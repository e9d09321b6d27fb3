import { Body, Controller, Delete, HttpCode, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/uuid-param';
import { Authorize } from '../../policy/authorize.decorator';
import { CurrentPolicy, RequestPolicy } from '../../policy/current-policy.decorator';
import { AttachDatasetDto, SetOntologyDto } from './dto/project-links.dto';
import { ProjectDto } from './dto/resource.dto';
import { ProjectLinksService } from './project-links.service';

const PROJECT = { type: 'resource', kind: 'project' } as const;

@ApiTags('projects')
@Controller('projects')
export class ProjectLinksController {
  constructor(private readonly links: ProjectLinksService) {}

  /** Attaches a dataset the caller can read (404 when they may not know it, 403 when they may not read it). */
  @Post(':id/datasets')
  @Authorize('manageLinks', 'Resource', PROJECT)
  @ApiOperation({ operationId: 'attachProjectDataset' })
  attachDataset(
    @UuidParam('id') id: string,
    @Body() body: AttachDatasetDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<ProjectDto> {
    return this.links.attachDataset(policy, id, body.datasetId);
  }

  /** Detaches a dataset; the dataset itself stays. */
  @Delete(':id/datasets/:datasetId')
  @HttpCode(204)
  @Authorize('manageLinks', 'Resource', PROJECT)
  @ApiOperation({ operationId: 'detachProjectDataset' })
  async detachDataset(
    @UuidParam('id') id: string,
    @UuidParam('datasetId') datasetId: string,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<void> {
    await this.links.detachDataset(policy, id, datasetId);
  }

  /** Sets the project's one ontology, which the caller must be able to read; null removes it. */
  @Put(':id/ontology')
  @Authorize('manageLinks', 'Resource', PROJECT)
  @ApiOperation({ operationId: 'setProjectOntology' })
  setOntology(
    @UuidParam('id') id: string,
    @Body() body: SetOntologyDto,
    @CurrentPolicy() policy: RequestPolicy,
  ): Promise<ProjectDto> {
    return this.links.setOntology(policy, id, body.ontologyId);
  }
}
