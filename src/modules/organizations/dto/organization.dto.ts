import { ApiSchema } from '@nestjs/swagger';
import { PageOf } from '../../../common/pagination';

@ApiSchema({ name: 'Organization', description: 'An organization, with its email domains.' })
export class OrganizationDto {
  id: string;
  name: string;
  isWorkforce: boolean;
  /** Email domains whose verified users join automatically. */
  domains: string[];
  createdAt: string;
}

@ApiSchema({ name: 'OrganizationPage', description: 'A page of organizations, by name.' })
export class OrganizationPage extends PageOf(OrganizationDto) {}
